#include "faild/core/stall_guard.hpp"

#include <doctest/doctest.h>

#include <set>
#include <utility>

using namespace faild;

namespace {

path up_path() {
    path pa(path_tracker(3, 1, ms(0)));
    pa.tracker.good(ms(0));
    REQUIRE(pa.tracker.state() == path_state::up);
    return pa;
}

}  // namespace

TEST_CASE("stall_guard: the slack is the loop_late threshold, max(2 ms, t / 4), and later than it is a stall of ours") {
    CHECK(stall_guard::slack(ms(1000)) == ms(250));
    CHECK(stall_guard::slack(ms(100)) == ms(25));
    CHECK(stall_guard::slack(ms(10)) == duration(2500));
    CHECK(stall_guard::slack(ms(4)) == ms(2));
    // Due at 100 with t = 100 ms: judged by 125 is on time, after it late.
    CHECK_FALSE(stall_guard::judged_late(ms(100), ms(100), ms(100)));
    CHECK_FALSE(stall_guard::judged_late(ms(100), ms(125), ms(100)));
    CHECK(stall_guard::judged_late(ms(100), ms(125) + duration(1), ms(100)));
    CHECK(stall_guard::judged_late(ms(100), ms(400), ms(100)));
}

TEST_CASE("stall_guard: a path is silent with a miss counted or owed, a check or probe overdue, or a deadline this instant") {
    const timestamp now = ms(1000);
    const duration instant = ms(25);
    path quiet = up_path();
    CHECK_FALSE(stall_guard::silent(quiet, std::nullopt, now, instant));
    CHECK_FALSE(stall_guard::silent(quiet, now + ms(26), now, instant));  // its next round's deadline
    CHECK(stall_guard::silent(quiet, now + ms(25), now, instant));        // due in the same instant
    CHECK(stall_guard::silent(quiet, now - ms(5), now, instant));         // due already

    path missed = up_path();
    missed.tracker.miss(now);
    CHECK(stall_guard::silent(missed, std::nullopt, now, instant));

    path owed = up_path();
    owed.owed = 1;
    CHECK(stall_guard::silent(owed, std::nullopt, now, instant));

    path checked = up_path();
    checked.suspicion_check = purposeful_probe{0x80000001u, now + ms(10), purposeful_probe::on_silence::settle};
    CHECK(stall_guard::silent(checked, std::nullopt, now, instant));

    path overdue = up_path();
    overdue.wait.round_sent(7, now - ms(20), now - ms(10));
    overdue.wait.judge();
    CHECK(stall_guard::silent(overdue, std::nullopt, now, instant));
}

TEST_CASE("stall_guard: a mass silence is every up path silent, paths down or not yet up say nothing") {
    peer p;
    auto add = [&](std::size_t lan, family fam, path pa) { p.paths.emplace(path_key{lan, fam}, std::move(pa)); };
    std::set<std::pair<std::size_t, family>> silent;
    auto of = [&](path_key k, const path&) { return silent.count({k.lan, k.fam}) > 0; };

    CHECK_FALSE(stall_guard::mass_silence(p, of));  // no path at all
    add(0, family::v4, up_path());
    add(0, family::v6, up_path());
    add(1, family::v4, up_path());
    add(1, family::v6, up_path());
    // One LAN silent (a cut): the peer answers on the other.
    silent = {{0, family::v4}, {0, family::v6}};
    CHECK_FALSE(stall_guard::mass_silence(p, of));
    // One family silent on both LANs: the other family answers.
    silent = {{0, family::v6}, {1, family::v6}};
    CHECK_FALSE(stall_guard::mass_silence(p, of));
    silent = {{0, family::v4}, {0, family::v6}, {1, family::v4}, {1, family::v6}};
    CHECK(stall_guard::mass_silence(p, of));

    // LAN A already down, LAN B's paths silent: every path that carries a
    // route is silent.
    for (family f : {family::v4, family::v6})
        for (int i = 0; i < 3; ++i) p.paths.at({0, f}).tracker.miss(ms(5));
    REQUIRE(p.paths.at({0, family::v4}).tracker.state() == path_state::down);
    silent = {{1, family::v4}, {1, family::v6}};
    CHECK(stall_guard::mass_silence(p, of));
    // A path not yet up that is heard does not count as an answer either.
    add(2, family::v4, path(path_tracker(3, 3, ms(0))));
    CHECK(stall_guard::mass_silence(p, of));
    silent = {{1, family::v4}};
    CHECK_FALSE(stall_guard::mass_silence(p, of));
}

TEST_CASE("stall_guard: the fresh probe waits the usual check timeout after a stall, in a mass silence at least an "
          "interval and at least the longest stall") {
    CHECK(stall_guard::fresh_wait(ms(10), ms(100), false) == ms(10));
    CHECK(stall_guard::fresh_wait(ms(10), ms(1000), false) == ms(10));
    CHECK(stall_guard::longest_stall == ms(250));
    CHECK(stall_guard::fresh_wait(ms(10), ms(100), true) == ms(250));   // t = 0.1: the longest stall
    CHECK(stall_guard::fresh_wait(ms(10), ms(10), true) == ms(250));    // t = 0.01: the same
    CHECK(stall_guard::fresh_wait(ms(10), ms(1000), true) == ms(1000)); // t = 1: the interval
    CHECK(stall_guard::fresh_wait(ms(400), ms(100), true) == ms(400));  // a longer check timeout stays
}
