#include "faild/core/probe_wait.hpp"

#include "unit/protocol_table.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace faild;
using faild::test::documented_table;

namespace {

using result = probe_wait::close_result;

/// A fast confirmation retry `seq`, awaited until `deadline`.
purposeful_probe retry_probe(std::uint32_t seq, timestamp deadline) {
    return purposeful_probe{seq, deadline, purposeful_probe::on_silence::confirm_miss};
}

/// A wait driven into state `s` by its own events (deadline at 120 ms).
probe_wait in_state(wait_state s) {
    probe_wait w;
    const bool retry = s == wait_state::retrying || s == wait_state::retry_overdue || s == wait_state::retry_missed;
    if (s == wait_state::idle) return w;
    if (retry) w.retry_sent(retry_probe(7, ms(120)), ms(100));
    else w.round_sent(7, ms(100), ms(120));
    if (s == wait_state::overdue || s == wait_state::missed || s == wait_state::retry_overdue ||
        s == wait_state::retry_missed)
        w.judge();
    if (s == wait_state::missed || s == wait_state::retry_missed) w.count();
    REQUIRE(w.state() == s);
    return w;
}

/// Applies event `e` to `w` at 150 ms (past the deadline), not in a quiet mutual round.
void apply(probe_wait& w, wait_event e) {
    switch (e) {
    case wait_event::round_sent: return w.round_sent(8, ms(150), ms(170));
    case wait_event::retry_sent: return w.retry_sent(retry_probe(9, ms(170)), ms(150));
    case wait_event::judge: return w.judge();
    case wait_event::count: return w.count();
    case wait_event::answer: return w.answer();
    case wait_event::stop: return w.stop();
    case wait_event::round_end: w.round_end(false, ms(150)); return;
    }
}

}  // namespace

TEST_CASE("probe_wait: PROTOCOL.md's transition table is the machine's, for every (state, event) pair") {
    const auto table = documented_table("### The evidence machine of a probe");
    REQUIRE(table.size() == std::size_t(wait_state_count));
    for (int si = 0; si < wait_state_count; ++si)
        for (int ei = 0; ei < wait_event_count; ++ei) {
            const auto s = wait_state(si);
            const auto e = wait_event(ei);
            CAPTURE(to_string(s));
            CAPTURE(to_string(e));
            REQUIRE(table.count(to_string(s)));
            REQUIRE(table.at(to_string(s)).count(to_string(e)));
            const std::string documented = table.at(to_string(s)).at(to_string(e));
            CHECK(to_string(next_state(s, e)) == documented);
            probe_wait w = in_state(s);
            apply(w, e);
            CHECK(to_string(w.state()) == documented);
        }
}

TEST_CASE("probe_wait: a round's verdict is given once: at its deadline (count) or at the round's end") {
    probe_wait w;
    w.round_sent(1, ms(0), ms(20));
    CHECK_FALSE(w.due(ms(19)));
    CHECK(w.due(ms(20)));
    w.judge();
    CHECK(w.overdue());
    CHECK_FALSE(w.deadline());  // judged once
    CHECK(w.round_end(false, ms(100)) == result::missed);  // not counted at its deadline: the round's end counts it
    w.round_sent(2, ms(100), ms(120));
    w.judge();
    w.count();
    CHECK(w.round_end(false, ms(200)) == result::closed);  // counted already
    CHECK(w.round_end(false, ms(200)) == result::untouched);
    w.round_sent(3, ms(200), std::nullopt);  // no retry timeout: the round's end decides
    CHECK_FALSE(w.deadline());
    CHECK(w.round_end(false, ms(300)) == result::missed);
}

TEST_CASE("probe_wait: a retry's silence is confirmed, but not while its deadline is ahead") {
    probe_wait w;
    w.retry_sent(retry_probe(0x80000001u, ms(110)), ms(100));
    CHECK(w.retry());
    CHECK(w.round_end(false, ms(105)) == result::closed);  // its late ACK would still count
    w.retry_sent(retry_probe(0x80000002u, ms(210)), ms(200));
    CHECK(w.round_end(true, ms(300)) == result::untouched);  // a quiet mutual round leaves it to its timeout
    CHECK(w.state() == wait_state::retrying);
    CHECK(w.round_end(false, ms(300)) == result::missed_confirmed);
}

TEST_CASE("probe_wait: a path learnt mid-round is excused its first round, until answered or closed") {
    probe_wait w;
    w.begin(true, 5, true);
    CHECK(w.awaiting());
    CHECK(w.round_end(false, ms(100)) == result::excused);
    w.round_sent(6, ms(100), std::nullopt);
    CHECK(w.round_end(false, ms(200)) == result::missed);  // the excuse is used up
    // Learnt before our first round: the excuse waits for it.
    probe_wait later;
    later.begin(false, 0, true);
    CHECK_FALSE(later.awaiting());
    CHECK(later.round_end(false, ms(50)) == result::untouched);
    later.round_sent(1, ms(100), std::nullopt);
    CHECK(later.round_end(false, ms(200)) == result::excused);
    // An answer ends it.
    probe_wait answered;
    answered.begin(true, 5, true);
    answered.answer();
    answered.round_sent(6, ms(100), std::nullopt);
    CHECK(answered.round_end(false, ms(200)) == result::missed);
}

TEST_CASE("probe_wait: stop ends the wait without a verdict, and keeps an excuse") {
    probe_wait w;
    w.begin(true, 5, true);
    w.stop();
    CHECK_FALSE(w.awaiting());
    CHECK(w.excused());
    w.round_sent(6, ms(100), ms(120));
    CHECK_FALSE(w.deadline() == std::nullopt);
    w.stop();
    CHECK_FALSE(w.deadline());
}

TEST_CASE("probe_wait: a retry is a probe with a purpose: its timeout and its action are its data") {
    probe_wait w;
    w.round_sent(1, ms(0), ms(20));
    CHECK_FALSE(w.retry_probe());  // the round INQ is no retry
    w.retry_sent(retry_probe(0x80000003u, ms(45)), ms(25));
    REQUIRE(w.retry_probe());
    CHECK(w.retry_probe()->seq == 0x80000003u);
    CHECK(w.retry_probe()->action == purposeful_probe::on_silence::confirm_miss);
    CHECK(w.seq() == 0x80000003u);
    CHECK(w.sent() == ms(25));
    CHECK(w.deadline() == ms(45));
    CHECK_FALSE(w.due(ms(44)));
    CHECK(w.due(ms(45)));
    w.judge();
    CHECK_FALSE(w.deadline());  // judged once
    w.count();
    REQUIRE(w.retry_probe());  // counted: its action is run from it
    CHECK(w.retry_probe()->deadline == ms(45));
    w.answer();
    CHECK_FALSE(w.retry_probe());  // answered: nothing awaited
    w.retry_sent(retry_probe(0x80000004u, ms(80)), ms(60));
    w.round_sent(2, ms(100), std::nullopt);
    CHECK_FALSE(w.retry_probe());  // the next round's INQ replaces it
}
