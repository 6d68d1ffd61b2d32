#include "faild/core/reconciler.hpp"
#include "platform/fake/fake_route_table.hpp"
#include "print_effects.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

route r(const char* dst, const char* via, const char* dev = "eth1", int ifindex = 11, const char* src = "192.0.2.1") {
    return {*ip_address::parse(dst), *ip_address::parse(via), dev, ifindex, *ip_address::parse(src), {}};
}

route_set set_of(std::initializer_list<route> rs) {
    route_set s;
    for (const auto& x : rs) s[x.dst] = x;
    return s;
}

using op = fx::route_changed::op;
using failed_op = fx::route_failed::op;

effect added(const route& x, std::string peer = "") { return fx::route_changed{op::added, x, sync_reason::none, std::move(peer)}; }
effect replaced(const route& x) { return fx::route_changed{op::replaced, x, sync_reason::none, ""}; }
effect restored(const route& x) { return fx::route_changed{op::restored, x, sync_reason::none, ""}; }
effect removed(const route& x, sync_reason why, std::string peer = "") {
    return fx::route_changed{op::removed, x, why, std::move(peer)};
}
effect failed(failed_op what, const route& x, const char* error) { return fx::route_failed{what, x, error}; }

}  // namespace

TEST_CASE("diff_routes: removes, then replaces, then adds") {
    auto a = r("192.0.2.2", "198.51.100.2");
    auto b = r("192.0.2.3", "198.51.100.3");
    auto b2 = r("192.0.2.3", "198.51.100.9");
    auto c = r("192.0.2.4", "198.51.100.4");
    CHECK(diff_routes({}, {}).empty());
    CHECK(diff_routes(set_of({a, b}), set_of({a, b})).empty());
    auto d = diff_routes(set_of({b2, c}), set_of({a, b}));
    REQUIRE(d.size() == 3);
    CHECK(d[0] == route_change{route_change::kind::remove, a});
    CHECK(d[1] == route_change{route_change::kind::replace, b2});
    CHECK(d[2] == route_change{route_change::kind::add, c});
    // Any field of the route counts: dev, src.
    CHECK(diff_routes(set_of({r("192.0.2.2", "198.51.100.2", "eth2", 12)}), set_of({a})).size() == 1);
    CHECK(diff_routes(set_of({r("192.0.2.2", "198.51.100.2", "eth1", 11, "192.0.2.9")}), set_of({a})).size() == 1);
}

TEST_CASE("reconciler: brings the table to the desired set and logs each change") {
    platform::fake_route_table table;
    reconciler rec(table);
    effect_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    auto b = r("192.0.2.3", "198.51.100.3");
    CHECK(rec.reconcile(set_of({a, b}), sync_reason::switchback, ev));
    CHECK(table.routes() == set_of({a, b}));
    CHECK(ev == effect_list{added(a), added(b)});

    ev.clear();
    auto b2 = r("192.0.2.3", "198.51.100.9");
    CHECK(rec.reconcile(set_of({b2}), sync_reason::switchback, ev));
    CHECK(table.routes() == set_of({b2}));
    CHECK(ev == effect_list{removed(a, sync_reason::switchback), replaced(b2)});

    ev.clear();
    std::size_t ops = table.operations();
    CHECK(rec.reconcile(set_of({b2}), sync_reason::switchback, ev));  // nothing to do: no writes
    CHECK(table.operations() == ops);
    CHECK(ev.empty());
}

TEST_CASE("reconciler: stale routes of an earlier run go at start, foreign routes are never touched") {
    platform::fake_route_table table;
    auto stale = r("192.0.2.7", "198.51.100.7");
    table.add(stale);
    auto theirs = r("192.0.2.8", "198.51.100.8");
    table.add_foreign(theirs);
    reconciler rec(table);
    effect_list ev;
    CHECK(rec.reconcile({}, sync_reason::stale, ev));
    CHECK(table.routes().empty());
    CHECK(table.has_foreign(theirs.dst));
    CHECK(ev == effect_list{removed(stale, sync_reason::stale)});
}

TEST_CASE("reconciler: a failed change is logged, the others still happen, the next run retries") {
    platform::fake_route_table table;
    reconciler rec(table);
    effect_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    auto b = r("192.0.2.3", "198.51.100.3");
    table.fail_next("Network is unreachable");
    CHECK_FALSE(rec.reconcile(set_of({a, b}), sync_reason::switchback, ev));
    CHECK(table.routes() == set_of({b}));
    CHECK(ev == effect_list{failed(failed_op::add, a, "Network is unreachable"), added(b)});
    ev.clear();
    CHECK(rec.reconcile(set_of({a, b}), sync_reason::switchback, ev));
    CHECK(table.routes() == set_of({a, b}));
    CHECK(ev == effect_list{added(a)});
}

TEST_CASE("reconciler: a route deleted behind its back is put back on the next run") {
    platform::fake_route_table table;
    reconciler rec(table);
    effect_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    rec.reconcile(set_of({a}), sync_reason::switchback, ev);
    table.remove(a);  // e.g. `ip route flush proto 250`
    ev.clear();
    CHECK(rec.reconcile(set_of({a}), sync_reason::switchback, ev));
    CHECK(table.routes() == set_of({a}));
    // Whoever notices, it is logged as what it is: put back.
    CHECK(ev == effect_list{restored(a)});
}

TEST_CASE("reconciler: an unreadable table changes nothing and says so") {
    platform::fake_route_table table;
    reconciler rec(table);
    effect_list ev;
    table.fail_next_list("netlink: Permission denied");
    CHECK_FALSE(rec.reconcile(set_of({r("192.0.2.2", "198.51.100.2")}), sync_reason::switchback, ev));
    CHECK(table.routes().empty());
    CHECK(table.operations() == 0);
    CHECK(ev == effect_list{fx::route_table_unreadable{"netlink: Permission denied"}});
}

TEST_CASE("reconciler: the periodic repair logs what it had to put back as restored") {
    platform::fake_route_table table;
    reconciler rec(table);
    effect_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    rec.reconcile(set_of({a}), sync_reason::switchback, ev);
    ev.clear();
    CHECK(rec.repair(set_of({a}), ms(0), ev));
    CHECK(ev.empty());  // nothing missing: nothing said
    table.remove(a);
    CHECK(rec.repair(set_of({a}), ms(0), ev));
    CHECK(table.routes() == set_of({a}));
    CHECK(ev == effect_list{restored(a)});
}

// ---------------------------------------------------------------- batches

namespace {

/// A table that records the batches it is handed and answers each change
/// with a scripted result (success when the script runs out of entries,
/// unless `short_answer` drops the last result).
class scripted_table final : public platform::route_table {
public:
    std::optional<route_set> list(std::string&) override { return installed; }
    platform::op_result add(const route&) override { return {"single add called"}; }
    platform::op_result replace(const route&) override { return {"single replace called"}; }
    platform::op_result remove(const route&) override { return {"single remove called"}; }
    std::vector<platform::op_result> apply(const std::vector<route_change>& changes) override {
        batches.push_back(changes);
        std::vector<platform::op_result> out(changes.size());
        for (std::size_t i = 0; i < changes.size() && i < script.size(); ++i) out[i] = script[i];
        if (short_answer && !out.empty()) out.pop_back();
        return out;
    }

    route_set installed;
    std::vector<platform::op_result> script;
    bool short_answer = false;
    std::vector<std::vector<route_change>> batches;
};

}  // namespace

TEST_CASE("reconciler: one run is one list() and one batch holding the whole diff, in diff order") {
    platform::fake_route_table table;
    auto a = r("192.0.2.2", "198.51.100.2");
    auto b = r("192.0.2.3", "198.51.100.3");
    auto b2 = r("192.0.2.3", "198.51.100.9");
    auto c = r("192.0.2.4", "198.51.100.4");
    auto d = r("2001:db8:a::5", "fe80::b1", "eth1", 11, "2001:db8:a::1");
    REQUIRE(table.add(a).ok());
    REQUIRE(table.add(b).ok());
    reconciler rec(table);
    effect_list ev;
    CHECK(rec.reconcile(set_of({b2, c, d}), sync_reason::switchback, ev));
    CHECK(table.lists() == 1);
    CHECK(table.batches() == 1);
    CHECK(table.operations() == 2 + 4);  // the two planted above, then remove a, replace b, add c, add d
    CHECK(table.routes() == set_of({b2, c, d}));
    CHECK(rec.installed() == set_of({b2, c, d}));
    CHECK(ev == effect_list{removed(a, sync_reason::switchback), replaced(b2), added(c), added(d)});

    // Nothing to change: a list(), no batch at all.
    ev.clear();
    CHECK(rec.reconcile(set_of({b2, c, d}), sync_reason::switchback, ev));
    CHECK(table.lists() == 2);
    CHECK(table.batches() == 1);
    CHECK(ev.empty());
}

TEST_CASE("reconciler: a change failing in the middle of the batch is reported for that change alone") {
    platform::fake_route_table table;
    auto gone = r("192.0.2.2", "198.51.100.2");
    auto c = r("192.0.2.4", "198.51.100.4");
    auto theirs = r("192.0.2.5", "198.51.100.5");
    auto e = r("192.0.2.6", "198.51.100.6");
    REQUIRE(table.add(gone).ok());
    table.add_foreign(theirs);
    reconciler rec(table);
    effect_list ev;
    CHECK_FALSE(rec.reconcile(set_of({c, theirs, e}), sync_reason::switchback, ev));
    CHECK(table.batches() == 1);
    CHECK(table.routes() == set_of({c, e}));
    CHECK(table.has_foreign(theirs.dst));
    CHECK(rec.installed() == set_of({c, e}));
    CHECK(ev == effect_list{removed(gone, sync_reason::switchback), added(c),
                            failed(failed_op::add, theirs, "route exists (not faild's)"), added(e)});
}

TEST_CASE("reconciler: each result of the batch belongs to the change at its index") {
    scripted_table table;
    auto a = r("192.0.2.2", "198.51.100.2");
    auto b = r("192.0.2.3", "198.51.100.3");
    auto b2 = r("192.0.2.3", "198.51.100.9");
    auto c = r("192.0.2.4", "198.51.100.4");
    auto d = r("192.0.2.5", "198.51.100.5");
    table.installed = set_of({a, b});
    // remove a fails, replace b succeeds, add c fails, add d succeeds
    table.script = {{"no such route"}, {}, {"Network is unreachable"}, {}};
    reconciler rec(table);
    effect_list ev;
    CHECK_FALSE(rec.reconcile(set_of({b2, c, d}), sync_reason::switchback, ev));
    REQUIRE(table.batches.size() == 1);
    CHECK(table.batches[0] == diff_routes(set_of({b2, c, d}), set_of({a, b})));
    CHECK(ev == effect_list{failed(failed_op::remove, a, "no such route"), replaced(b2),
                            failed(failed_op::add, c, "Network is unreachable"), added(d)});
    // What it believes installed follows the results: a stays (its removal
    // failed), b changed, c never came, d did.
    CHECK(rec.installed() == set_of({a, b2, d}));
}

TEST_CASE("reconciler: a batch that answers fewer results than changes fails the unanswered ones") {
    scripted_table table;
    table.short_answer = true;
    auto a = r("192.0.2.2", "198.51.100.2");
    auto b = r("192.0.2.3", "198.51.100.3");
    reconciler rec(table);
    effect_list ev;
    CHECK_FALSE(rec.reconcile(set_of({a, b}), sync_reason::switchback, ev));
    CHECK(ev == effect_list{added(a), failed(failed_op::add, b, "no result from the route table")});
    CHECK(rec.installed() == set_of({a}));
}

TEST_CASE("reconciler: the dry-run table logs one line per change of the batch, in order") {
    std::vector<std::string> lines;
    platform::fake_route_table table([&](const std::string& line) { lines.push_back(line); });
    auto a = r("192.0.2.2", "198.51.100.2");
    auto a2 = r("192.0.2.2", "198.51.100.9");
    auto b = r("192.0.2.3", "198.51.100.3");
    reconciler rec(table);
    effect_list ev;
    CHECK(rec.reconcile(set_of({a, b}), sync_reason::replanned, ev));
    CHECK(rec.reconcile(set_of({a2}), sync_reason::switchback, ev));
    CHECK(table.batches() == 2);
    CHECK(lines == std::vector<std::string>{
                       "op=add dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1",
                       "op=add dst=192.0.2.3/32 via=198.51.100.3 dev=eth1 src=192.0.2.1",
                       "op=remove dst=192.0.2.3/32 via=198.51.100.3 dev=eth1 src=192.0.2.1",
                       "op=replace dst=192.0.2.2/32 via=198.51.100.9 dev=eth1 src=192.0.2.1",
                   });
}

// ---------------------------------------------------------------- back-off

TEST_CASE("repair_backoff: per destination, from the base doubling to the maximum, cleared on success") {
    repair_backoff b(ms(100), ms(1'000));
    auto x = *ip_address::parse("192.0.2.5"), y = *ip_address::parse("192.0.2.6");
    CHECK(b.due(x, ms(0)));
    b.failed(x, ms(0));
    CHECK_FALSE(b.due(x, ms(99)));
    CHECK(b.due(x, ms(100)));
    CHECK(b.due(y, ms(1)));  // another destination never waits for x
    b.failed(x, ms(100));
    CHECK(*b.retry_at(x) == ms(300));
    b.failed(x, ms(300));
    CHECK(*b.retry_at(x) == ms(700));
    b.failed(x, ms(700));
    CHECK(*b.retry_at(x) == ms(1'500));  // 800 ms
    b.failed(x, ms(1'500));
    CHECK(*b.retry_at(x) == ms(2'500));  // the maximum, 1 s
    b.failed(x, ms(2'500));
    CHECK(*b.retry_at(x) == ms(3'500));
    b.clear(x);
    CHECK(b.due(x, ms(3'000)));
    b.failed(x, ms(4'000));
    CHECK(*b.retry_at(x) == ms(4'100));  // from the base again
    b.failed(y, ms(4'000));
    b.keep_only([&](const ip_address& d) { return d == y; });
    CHECK_FALSE(b.retry_at(x));
    CHECK(b.retry_at(y));
}

TEST_CASE("reconciler: a route in conflict backs off on its own, an unrelated flushed route is put back at the next repair") {
    platform::fake_route_table table;
    auto theirs = r("192.0.2.5", "198.51.100.5");
    table.add_foreign(theirs);  // another program holds 192.0.2.5
    auto mine = r("192.0.2.5", "198.51.100.9");
    auto other = r("192.0.2.6", "198.51.100.6");
    reconciler rec(table, ms(100));  // the repair period at t = 0.1
    effect_list ev;
    const route_set want = set_of({mine, other});
    CHECK_FALSE(rec.reconcile(want, sync_reason::replanned, ev));  // the plan changed: both tried
    CHECK(table.routes() == set_of({other}));

    // The repair runs every 100 ms for 20 s. The conflicting route is tried
    // again only after its own back-off (100 ms, doubling, at most 30 s).
    std::vector<long long> tried_at;
    long long restored_at = -1;
    for (long long t = 100; t <= 20'000; t += 100) {
        if (t == 15'000) table.remove(other);  // `ip route flush proto 250`, one route of it
        effect_list run;
        rec.repair(want, ms(t), run);
        for (const auto& f : effects_of<fx::route_failed>(run))
            if (f.r.dst == mine.dst) tried_at.push_back(t);
        for (const auto& c : effects_of<fx::route_changed>(run))
            if (c.what == op::restored && c.r.dst == other.dst) restored_at = t;
    }
    // 100 ms after the reconcile (whose failure started no wait: the first
    // repair tries), then 100, 200, 400, ... ms after each try.
    CHECK(tried_at == std::vector<long long>{100, 200, 400, 800, 1'600, 3'200, 6'400, 12'800});
    CHECK(rec.backoff().size() == 1);
    CHECK(*rec.backoff().retry_at(mine.dst) == ms(25'600));  // waits 12.8 s now
    // The unrelated route went back at the first repair after the flush.
    CHECK(restored_at == 15'000);
    CHECK(table.routes() == set_of({other}));
    CHECK(table.has_foreign(theirs.dst));  // never touched
    std::size_t writes = table.operations();
    effect_list none;
    CHECK(rec.repair(want, ms(20'100), none));  // not due before 25.6 s: not tried, nothing failed
    CHECK(none.empty());
    CHECK(table.operations() == writes);
}

TEST_CASE("reconciler: the repair tries a refused route again once its wait is over, then forgets the wait") {
    scripted_table table;
    auto a = r("192.0.2.2", "198.51.100.2");
    reconciler rec(table, ms(100));
    table.script = {{"Network is unreachable"}};
    effect_list ev;
    CHECK_FALSE(rec.repair(set_of({a}), ms(0), ev));
    CHECK(table.batches.size() == 1);
    CHECK(rec.repair(set_of({a}), ms(50), ev));  // waiting: no batch at all, nothing failed
    CHECK(table.batches.size() == 1);
    table.script.clear();  // the table takes it now
    CHECK(rec.repair(set_of({a}), ms(100), ev));
    CHECK(table.batches.size() == 2);
    CHECK(rec.backoff().size() == 0);
    // Not wanted any more: a wait for it is forgotten too.
    table.script = {{"Network is unreachable"}};
    table.installed = {};
    CHECK_FALSE(rec.repair(set_of({a}), ms(200), ev));
    CHECK(rec.backoff().size() == 1);
    CHECK(rec.repair({}, ms(210), ev));
    CHECK(rec.backoff().size() == 0);
}

TEST_CASE("reconciler: route events name the peer the plan chose, also when the route comes out later") {
    platform::fake_route_table table;  // keeps no peer, like the kernel
    reconciler rec(table);
    effect_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    a.peer = "h2";
    auto b = r("192.0.2.3", "198.51.100.3");  // the plan named no peer
    CHECK(rec.reconcile(set_of({a, b}), sync_reason::replanned, ev));
    CHECK(ev == effect_list{added(a, "h2"), added(b)});
    ev.clear();
    CHECK(rec.repair(set_of({a, b}), ms(0), ev));  // read back from the table: no peer there
    CHECK(ev.empty());
    CHECK(rec.reconcile(set_of({b}), sync_reason::switchback, ev));
    CHECK(ev == effect_list{removed(a, sync_reason::switchback, "h2")});
}
