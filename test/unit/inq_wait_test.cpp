#include "faild/core/inq_wait.hpp"

#include "unit/protocol_table.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace faild;
using faild::test::documented_table;

namespace {

constexpr duration interval = ms(100);

/// A wait driven into state `s` by its own events (the peer's interval
/// 100 ms, its INQ due at 150 ms; counted at 140 ms, lapsed at 150 ms).
inq_wait in_state(inq_state s, timestamp& now) {
    inq_wait w;
    w.start(ms(0), interval);
    now = ms(50);
    if (s == inq_state::counted) {
        now = ms(140);
        REQUIRE(w.count_good(now, interval, true));
    }
    if (s == inq_state::lapsed) {
        now = ms(150);
        REQUIRE(w.lapse(now, interval));
    }
    REQUIRE(w.state(now, interval) == s);
    return w;
}

/// Applies event `e` to `w` 10 ms later (within half an interval of a count).
void apply(inq_wait& w, inq_event e, timestamp& now) {
    now += ms(10);
    switch (e) {
    case inq_event::start: return w.start(now, interval);
    case inq_event::inq: return w.inq(now, interval, ms(20));
    case inq_event::good: w.count_good(now, interval, true); return;
    case inq_event::lapse:
        // Its deadline passes: the wait is judged at it.
        now = std::max(now, w.due());
        w.lapse(now, interval);
        return;
    }
}

}  // namespace

TEST_CASE("inq_wait: PROTOCOL.md's transition table is the machine's, for every (state, event) pair") {
    const auto table = documented_table("### The evidence machine of the peer's INQs");
    REQUIRE(table.size() == std::size_t(inq_state_count));
    for (int si = 0; si < inq_state_count; ++si)
        for (int ei = 0; ei < inq_event_count; ++ei) {
            const auto s = inq_state(si);
            const auto e = inq_event(ei);
            CAPTURE(to_string(s));
            CAPTURE(to_string(e));
            REQUIRE(table.count(to_string(s)));
            REQUIRE(table.at(to_string(s)).count(to_string(e)));
            const std::string documented = table.at(to_string(s)).at(to_string(e));
            CHECK(std::string(to_string(next_state(s, e))) == documented);
            timestamp now{0};
            inq_wait w = in_state(s, now);
            apply(w, e, now);
            CHECK(std::string(to_string(w.state(now, interval))) == documented);
        }
}

TEST_CASE("inq_wait: mutual rounds count a round's good once, and again half an interval on") {
    inq_wait w;
    w.start(ms(0), interval);
    CHECK(w.due() == ms(150));
    w.inq(ms(100), interval, ms(20));  // the peer's INQ
    CHECK(w.due() == ms(220));          // one interval plus the slack
    CHECK(w.last_inq() == ms(100));
    CHECK(w.count_good(ms(100), interval, true));
    CHECK(w.state(ms(100), interval) == inq_state::counted);
    CHECK_FALSE(w.count_good(ms(102), interval, true));  // its answer to our probe: the same round
    CHECK_FALSE(w.count_good(ms(149), interval, true));
    CHECK(w.state(ms(150), interval) == inq_state::expecting);
    CHECK(w.count_good(ms(150), interval, true));  // half an interval on: a round of its own
    CHECK_FALSE(w.count_good(ms(151), interval, true));
    // Elsewhere every good is its own round and leaves no mark.
    inq_wait r;
    r.start(ms(0), interval);
    CHECK(r.count_good(ms(10), interval, false));
    CHECK(r.count_good(ms(11), interval, false));
    CHECK(r.state(ms(11), interval) == inq_state::expecting);
}

TEST_CASE("inq_wait: the mark of a counted round outlives a lapse, and is read with the peer's interval of the moment") {
    inq_wait w;
    w.start(ms(0), interval);  // due at 150
    CHECK(w.count_good(ms(140), interval, true));
    CHECK(w.lapse(ms(150), interval));  // a missed round, but the round's good stays marked
    CHECK(w.state(ms(150), interval) == inq_state::counted);
    CHECK_FALSE(w.count_good(ms(160), interval, true));  // the peer's late INQ of that round
    CHECK(w.state(ms(190), interval) == inq_state::lapsed);
    // The half interval is the peer's interval now: 200 ms makes 100 ms.
    CHECK(w.count_good(ms(200), interval, true));
    CHECK_FALSE(w.count_good(ms(290), ms(200), true));
    CHECK(w.count_good(ms(250), ms(100), true));
}

TEST_CASE("inq_wait: a responder's deadline lapses once per interval, at most f + 1 after a stall") {
    inq_wait w;
    w.start(ms(0), interval);  // due at 150
    CHECK(w.lapses(ms(149), interval, 3) == 0);
    CHECK(w.state(ms(149), interval) == inq_state::expecting);
    CHECK(w.lapses(ms(150), interval, 3) == 1);
    CHECK(w.due() == ms(250));
    CHECK(w.state(ms(150), interval) == inq_state::lapsed);
    CHECK(w.lapses(ms(470), interval, 3) == 3);  // 250, 350, 450
    CHECK(w.due() == ms(550));
    // A stall of ten intervals: f + 1 misses, then one interval from now.
    CHECK(w.lapses(ms(1600), interval, 3) == 4);
    CHECK(w.due() == ms(1700));
    w.inq(ms(1650), interval, std::nullopt);
    CHECK(w.due() == ms(1800));  // 1.5 intervals
    CHECK(w.state(ms(1650), interval) == inq_state::expecting);
    CHECK_FALSE(w.heard(ms(1650)));  // a responder lists nobody
}

TEST_CASE("inq_wait: a mutual deadline lapses one round per wakeup, and INQs and answers keep the peer heard") {
    inq_wait w;
    w.start(ms(0), interval);
    CHECK_FALSE(w.lapse(ms(149), interval));
    CHECK_FALSE(w.overdue(ms(149)));
    CHECK(w.overdue(ms(150)));
    CHECK(w.lapse(ms(150), interval));
    CHECK(w.due() == ms(250));
    CHECK(w.lapse(ms(900), interval));  // after a stall: one round, one interval from now
    CHECK(w.due() == ms(1000));
    CHECK_FALSE(w.heard(ms(900)));
    w.inq(ms(950), interval, ms(50));
    CHECK(w.heard(ms(1099)));
    CHECK_FALSE(w.heard(ms(1100)));
    w.answered(ms(1090), interval);
    CHECK(w.heard(ms(1239)));
    CHECK_FALSE(w.heard(ms(1240)));
    CHECK(w.last_inq() == ms(950));  // an answer is no INQ
}
