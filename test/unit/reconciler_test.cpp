#include "faild/reconciler.hpp"
#include "platform/fake/fake_route_table.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

route r(const char* dst, const char* via, const char* dev = "eth1", int ifindex = 11, const char* src = "192.0.2.1") {
    return {*ip_address::parse(dst), *ip_address::parse(via), dev, ifindex, *ip_address::parse(src)};
}

route_set set_of(std::initializer_list<route> rs) {
    route_set s;
    for (const auto& x : rs) s[x.dst] = x;
    return s;
}

std::string texts(const event_list& ev) {
    std::string s;
    for (const auto& e : ev) s += e.text + "\n";
    return s;
}

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
    event_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    auto b = r("192.0.2.3", "198.51.100.3");
    CHECK(rec.reconcile(set_of({a, b}), "switchback", ev));
    CHECK(table.routes() == set_of({a, b}));
    CHECK(texts(ev) ==
          "event=route_added dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1\n"
          "event=route_added dst=192.0.2.3/32 via=198.51.100.3 dev=eth1 src=192.0.2.1\n");

    ev.clear();
    auto b2 = r("192.0.2.3", "198.51.100.9");
    CHECK(rec.reconcile(set_of({b2}), "switchback", ev));
    CHECK(table.routes() == set_of({b2}));
    CHECK(texts(ev) ==
          "event=route_removed dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 reason=switchback\n"
          "event=route_replaced dst=192.0.2.3/32 via=198.51.100.9 dev=eth1 src=192.0.2.1\n");

    ev.clear();
    std::size_t ops = table.operations();
    CHECK(rec.reconcile(set_of({b2}), "switchback", ev));  // nothing to do: no writes
    CHECK(table.operations() == ops);
    CHECK(ev.empty());
}

TEST_CASE("reconciler: stale routes of an earlier run go at start; foreign routes are never touched") {
    platform::fake_route_table table;
    auto stale = r("192.0.2.7", "198.51.100.7");
    table.add(stale);
    auto theirs = r("192.0.2.8", "198.51.100.8");
    table.add_foreign(theirs);
    reconciler rec(table);
    event_list ev;
    CHECK(rec.reconcile({}, "stale", ev));
    CHECK(table.routes().empty());
    CHECK(table.has_foreign(theirs.dst));
    CHECK(texts(ev) == "event=route_removed dst=192.0.2.7/32 via=198.51.100.7 dev=eth1 src=192.0.2.1 reason=stale\n");
}

TEST_CASE("reconciler: a failed change is logged, the others still happen, the next run retries") {
    platform::fake_route_table table;
    reconciler rec(table);
    event_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    auto b = r("192.0.2.3", "198.51.100.3");
    table.fail_next("Network is unreachable");
    CHECK_FALSE(rec.reconcile(set_of({a, b}), "switchback", ev));
    CHECK(table.routes() == set_of({b}));
    CHECK(ev.at(0).level == severity::error);
    CHECK(ev.at(0).text ==
          "event=route_failed op=add dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1 "
          "error=\"Network is unreachable\"");
    ev.clear();
    CHECK(rec.reconcile(set_of({a, b}), "switchback", ev));
    CHECK(table.routes() == set_of({a, b}));
    CHECK(texts(ev) == "event=route_added dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1\n");
}

TEST_CASE("reconciler: a route deleted behind its back is put back on the next run") {
    platform::fake_route_table table;
    reconciler rec(table);
    event_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    rec.reconcile(set_of({a}), "switchback", ev);
    table.remove(a);  // e.g. `ip route flush proto 250`
    ev.clear();
    CHECK(rec.reconcile(set_of({a}), "switchback", ev));
    CHECK(table.routes() == set_of({a}));
    // Whoever notices, it is logged as what it is: put back.
    CHECK(ev.at(0).name == "route_restored");
}

TEST_CASE("reconciler: an unreadable table changes nothing and says so") {
    platform::fake_route_table table;
    reconciler rec(table);
    event_list ev;
    table.fail_next_list("netlink: Permission denied");
    CHECK_FALSE(rec.reconcile(set_of({r("192.0.2.2", "198.51.100.2")}), "switchback", ev));
    CHECK(table.routes().empty());
    CHECK(table.operations() == 0);
    CHECK(ev.at(0).text == "event=route_table_unreadable error=\"netlink: Permission denied\"");
}

TEST_CASE("reconciler: the periodic repair logs what it had to put back as restored") {
    platform::fake_route_table table;
    reconciler rec(table);
    event_list ev;
    auto a = r("192.0.2.2", "198.51.100.2");
    rec.reconcile(set_of({a}), "switchback", ev);
    ev.clear();
    CHECK(rec.repair(set_of({a}), ev));
    CHECK(ev.empty());  // nothing missing: nothing said
    table.remove(a);
    CHECK(rec.repair(set_of({a}), ev));
    CHECK(table.routes() == set_of({a}));
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].level == severity::warning);
    CHECK(ev[0].text.rfind("event=route_restored dst=192.0.2.2/32 via=198.51.100.2 dev=eth1 src=192.0.2.1", 0) == 0);
}
