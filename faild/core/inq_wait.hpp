// DOC: inq_wait — the evidence machine of the peer's INQs on one path.
//
// A responder, and a requestor in mutual rounds, judges a path by the
// peer's round INQs: each must arrive by a deadline. The wait is one
// state with named deadlines:
//
//   - due: the peer's next round INQ at the latest (responder: 1.5 of
//     its intervals after the last; mutual: one interval plus the slack,
//     the retry timeout or half an interval);
//   - heard_until (mutual): until when our INQs list the peer as heard;
//   - the counted round: a good round counted at `counted_at` makes a
//     second good within half the peer's interval the same round (in an
//     ACK round the peer's answer and its own INQ both arrive: one good).
//
//                  good (from expecting or lapsed)
//   expecting ─────────────────────────────────────> counted
//    │    ^  <────── half an interval after the count ──┘
//    │    │                    (inq, start, lapse keep it counted)
//    │    └──── inq, start ────┐
//    └──── lapse ──────────> lapsed
//
// - start: a path made, or the peer turned to mutual rounds: its next
//   INQ is due in 1.5 intervals.
// - inq: its round INQ arrived (and is evidence): the deadline moves on.
// - good (count_good): a good round; its verdict is counted once: not
//   again within half the peer's interval (mutual rounds only; elsewhere
//   every good is its own round and leaves no mark).
// - lapse: the deadline passed without the INQ: missed rounds, counted
//   once each; the next deadline is one interval on.
// The mark of a counted round outlives a lapse (the peer's late INQ of
// that round is still the same round); half an interval after the count
// `counted` is `expecting` again.
//
// PROTOCOL.md ("The evidence machine of the peer's INQs") has the
// transition table; test/unit/inq_wait_test.cpp walks every (state,
// event) pair against it. Pure: time passed in.
#pragma once

#include "faild/core/clock.hpp"

#include <cstdint>
#include <optional>

namespace faild {

enum class inq_state : std::uint8_t {
    expecting,  ///< the peer's next INQ awaited by `due`; no good counted in this round
    counted,    ///< a good round counted (mutual) less than half an interval ago
    lapsed,     ///< the deadline passed without the INQ: missed rounds counted
};
inline constexpr int inq_state_count = 3;
const char* to_string(inq_state s);

enum class inq_event : std::uint8_t { start, inq, good, lapse };
inline constexpr int inq_event_count = 4;
const char* to_string(inq_event e);

/// The state `e` leads to from `s`, within half an interval of the last
/// good counted. The machine's transition table.
inq_state next_state(inq_state s, inq_event e);

class inq_wait {
public:
    /// The state at `now`, for a peer whose interval is `interval`.
    inq_state state(timestamp now, duration interval) const;
    /// The peer's next round INQ is due at the latest at this time.
    timestamp due() const { return due_; }
    /// It has not arrived by its deadline at `now`.
    bool overdue(timestamp now) const { return now >= due_; }
    /// Mutual: when the peer's last round INQ arrived (-1: never).
    timestamp last_inq() const { return last_inq_; }
    /// Mutual: our INQs list the peer as heard at `now`.
    bool heard(timestamp now) const { return now < heard_until_; }

    /// Event start at `now`: the next INQ is due in 1.5 intervals.
    void start(timestamp now, duration interval);
    /// Event inq: the peer's round INQ arrived at `now`. Mutual (`slack`
    /// given): the next is due one interval plus `slack` on, and the peer
    /// is listed as heard for 1.5 intervals; else due in 1.5 intervals.
    void inq(timestamp now, duration interval, std::optional<duration> slack);
    /// Mutual: the peer answered a probe of ours at `now`: heard, too.
    void answered(timestamp now, duration interval) { heard_until_ = now + interval * 3 / 2; }
    /// Event good: a good round at `now`. Records its verdict once: false
    /// when it is the round already counted (`mutual` only).
    bool count_good(timestamp now, duration interval, bool mutual);
    /// Event lapse, responder: the missed rounds at `now` (each interval
    /// past the deadline one, at most fail_after + 1 after a stall); the
    /// next deadline follows them.
    unsigned lapses(timestamp now, duration interval, unsigned fail_after);
    /// Event lapse, mutual rounds: one missed round when the deadline
    /// passed at `now` (true); the next is due one interval on (or one
    /// interval from now, after a stall).
    bool lapse(timestamp now, duration interval);

private:
    /// expecting or lapsed; `counted` is read off the mark (counted_at_),
    /// so the half interval is always the peer's interval of the moment.
    inq_state state_ = inq_state::expecting;
    timestamp due_{0};
    timestamp last_inq_{-1};
    timestamp heard_until_{-1};
    timestamp counted_at_{-1};
    bool marked(timestamp now, duration interval) const;
};

}  // namespace faild
