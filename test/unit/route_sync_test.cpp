#include "faild/core/route_sync.hpp"
#include "platform/fake/fake_route_table.hpp"
#include "print_effects.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

route r(const char* dst, const char* via) {
    return {*ip_address::parse(dst), *ip_address::parse(via), "eth1", 11, *ip_address::parse("192.0.2.1"), {}};
}

route_set set_of(std::initializer_list<route> rs) {
    route_set s;
    for (const auto& x : rs) s[x.dst] = x;
    return s;
}

using op = fx::route_changed::op;
effect removed(const route& x, const char* why) { return fx::route_changed{op::removed, x, why, ""}; }
effect added(const route& x) { return fx::route_changed{op::added, x, "", ""}; }
effect replaced(const route& x) { return fx::route_changed{op::replaced, x, "", ""}; }

}  // namespace

TEST_CASE("route_sync: an earlier run's routes are kept for (f + 2) intervals, then go as stale") {
    platform::fake_route_table table;
    const route left = r("192.0.2.2", "198.51.100.2");  // a crash left it
    REQUIRE(table.add(left).ok());
    route_sync sync(table, ms(100), 3);  // window: 500 ms
    effect_list out;
    CHECK(sync.start({}, ms(0), out));
    CHECK(out == effect_list{fx::routes_adopted{1, ms(500)}});
    CHECK(sync.adopting());
    // Repairs and plan changes within the window keep it.
    for (long long t = 100; t < 500; t += 100) {
        effect_list run;
        CHECK(sync.repair({}, ms(t), run));
        CHECK(sync.sync({}, "replanned", ms(t + 50), run));
        CHECK(run.empty());
        CHECK(table.routes() == set_of({left}));
    }
    effect_list closing;
    CHECK(sync.repair({}, ms(500), closing));
    CHECK(closing == effect_list{removed(left, "stale")});
    CHECK(table.routes().empty());
    CHECK_FALSE(sync.adopting());
}

TEST_CASE("route_sync: the outage outlived the restart: the plan takes over the adopted route without a gap") {
    platform::fake_route_table table;
    const route left = r("192.0.2.2", "198.51.100.2");
    const route other = r("192.0.2.3", "198.51.100.3");
    REQUIRE(table.add(left).ok());
    REQUIRE(table.add(other).ok());
    route_sync sync(table, ms(100), 3);
    effect_list out;
    sync.start({}, ms(0), out);
    const std::size_t writes = table.operations();
    // At 300 ms the path is down again: the plan wants the same route.
    effect_list planned;
    CHECK(sync.sync(set_of({left}), "replanned", ms(300), planned));
    CHECK(planned.empty());  // it was there all along: nothing written
    CHECK(table.operations() == writes);
    // The plan moves it to another next hop: replaced in place.
    const route moved = r("192.0.2.2", "198.51.100.9");
    effect_list move;
    CHECK(sync.sync(set_of({moved}), "replanned", ms(400), move));
    CHECK(move == effect_list{replaced(moved)});
    // The window closes by a plan change too: what the plan does not want goes.
    effect_list closing;
    CHECK(sync.sync(set_of({moved}), "switchback", ms(600), closing));
    CHECK(closing == effect_list{removed(other, "stale")});
    CHECK(table.routes() == set_of({moved}));
}

TEST_CASE("route_sync: nothing left by an earlier run: no adoption, the first sync writes the plan") {
    platform::fake_route_table table;
    route_sync sync(table, ms(100), 3);
    const route want = r("192.0.2.2", "198.51.100.2");
    effect_list out;
    CHECK(sync.start(set_of({want}), ms(0), out));
    CHECK(out == effect_list{added(want)});
    CHECK_FALSE(sync.adopting());
}

TEST_CASE("route_sync: the repair period: an interval (50 ms at least), 10 s when idle, doubling while unreadable") {
    platform::fake_route_table table;
    route_sync fast(table, ms(10), 3);
    const route want = r("192.0.2.2", "198.51.100.2");
    effect_list out;
    fast.start({}, ms(0), out);
    CHECK(fast.period({}) == ms(10'000));  // nothing of ours, nothing wanted
    CHECK_FALSE(fast.watching({}));
    CHECK(fast.period(set_of({want})) == ms(50));
    CHECK(fast.watching(set_of({want})));
    fast.sync(set_of({want}), "replanned", ms(1), out);
    CHECK(fast.period({}) == ms(50));  // a route of ours is installed: watched
    CHECK(fast.watching({}));
    // The table cannot be read: 100, 200, ... ms, at most 30 s.
    std::vector<long long> periods;
    for (int i = 0; i < 11; ++i) {
        table.fail_next_list("netlink: Permission denied");
        effect_list run;
        CHECK_FALSE(fast.repair(set_of({want}), ms(100 + i), run));
        CHECK(run == effect_list{fx::route_table_unreadable{"netlink: Permission denied"}});
        periods.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(fast.period(set_of({want}))).count());
    }
    CHECK(periods ==
          std::vector<long long>{100, 200, 400, 800, 1'600, 3'200, 6'400, 12'800, 25'600, 30'000, 30'000});
    effect_list back;
    CHECK(fast.repair(set_of({want}), ms(200), back));
    CHECK(fast.period(set_of({want})) == ms(50));  // readable again: every interval
    route_sync slow(table, ms(1000), 3);
    slow.start({}, ms(0), out);
    CHECK(slow.period(set_of({want})) == ms(1000));
}

TEST_CASE("route_sync: stop removes every route of ours, adopted ones too") {
    platform::fake_route_table table;
    const route left = r("192.0.2.2", "198.51.100.2");
    const route want = r("192.0.2.3", "198.51.100.3");
    REQUIRE(table.add(left).ok());
    route_sync sync(table, ms(100), 3);
    effect_list out;
    sync.start(set_of({want}), ms(0), out);
    REQUIRE(table.routes() == set_of({left, want}));
    effect_list bye;
    CHECK(sync.stop(bye));
    CHECK(bye == effect_list{removed(left, "shutdown"), removed(want, "shutdown")});
    CHECK(table.routes().empty());
}
