#include "faild/core/path_tracker.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace faild;

namespace {

/// Plays a timeline of rounds ('g' good, 'm' missed, one every 100 ms) and
/// returns the transcript of transitions: "t=300 init->down m=3 g=0; ...".
std::string play(unsigned f, unsigned s, const std::string& rounds) {
    path_tracker t(f, s, ms(0));
    std::string out;
    long long now = 0;
    for (char c : rounds) {
        now += 100;
        auto tr = c == 'g' ? t.good(ms(now)) : t.miss(ms(now));
        if (tr) {
            if (!out.empty()) out += "; ";
            out += "t=" + std::to_string(now) + " " + to_string(tr->from) + "->" + to_string(tr->to) +
                   " m=" + std::to_string(tr->missed) + " g=" + std::to_string(tr->good);
            CHECK(t.since() == ms(now));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("path_tracker: timelines") {
    struct row {
        unsigned f, s;
        const char* rounds;
        const char* transcript;
    };
    const row rows[] = {
        {3, 5, "", ""},
        {3, 5, "gggg", ""},                                  // not proven yet: stays init
        {3, 5, "ggggg", "t=500 init->up m=0 g=5"},
        {3, 5, "gggggmm", "t=500 init->up m=0 g=5"},         // two misses are not three
        {3, 5, "gggggmmm", "t=500 init->up m=0 g=5; t=800 up->down m=3 g=0"},
        {3, 5, "gggggmmgmm", "t=500 init->up m=0 g=5"},      // a good round resets the count
        {3, 5, "mmm", "t=300 init->down m=3 g=0"},           // never proven, never answered
        {3, 5, "gggggmmmggggg", "t=500 init->up m=0 g=5; t=800 up->down m=3 g=0; t=1300 down->up m=0 g=5"},
        {3, 5, "gggggmmmggggmggggg",
         "t=500 init->up m=0 g=5; t=800 up->down m=3 g=0; t=1800 down->up m=0 g=5"},  // a miss restarts s
        {1, 1, "gmg", "t=100 init->up m=0 g=1; t=200 up->down m=1 g=0; t=300 down->up m=0 g=1"},
        {3, 3, "gggmmmmmmm", "t=300 init->up m=0 g=3; t=600 up->down m=3 g=0"},  // down is reported once
    };
    for (const auto& r : rows) {
        CAPTURE(r.rounds);
        CHECK(play(r.f, r.s, r.rounds) == r.transcript);
    }
}

TEST_CASE("path_tracker: counts and reasons") {
    path_tracker t(2, 2, ms(0));
    t.good(ms(1));
    CHECK(t.good(ms(2))->to == path_state::up);
    CHECK(t.missed() == 0);
    CHECK_FALSE(t.miss(ms(3), down_reason::one_way));
    CHECK(t.missed() == 1);
    auto tr = t.miss(ms(4), down_reason::one_way);
    REQUIRE(tr);
    CHECK(tr->reason == down_reason::one_way);
    CHECK(t.state() == path_state::down);
    CHECK(t.good_rounds() == 0);
}

TEST_CASE("path_tracker: force_down takes a path down at once, once, recovery still needs s rounds") {
    path_tracker t(3, 2, ms(0));
    t.good(ms(1));
    t.good(ms(2));
    REQUIRE(t.state() == path_state::up);
    t.miss(ms(3));
    auto tr = t.force_down(ms(4), down_reason::carrier);
    REQUIRE(tr);
    CHECK(tr->from == path_state::up);
    CHECK(tr->missed == 1);  // what had been counted when it happened
    CHECK(tr->reason == down_reason::carrier);
    CHECK(t.since() == ms(4));
    CHECK_FALSE(t.force_down(ms(5), down_reason::peer_notice));
    CHECK_FALSE(t.good(ms(6)));
    CHECK(t.good(ms(7))->to == path_state::up);
}
