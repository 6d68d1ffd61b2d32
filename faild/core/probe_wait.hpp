// DOC: probe_wait — the evidence machine of a requestor's probe on one path.
//
// A requestor's path waits for at most one answer at a time: to the
// round's INQ, or to a fast confirmation retry (a probe-only INQ). The
// wait is one state, with one named deadline (the retry timeout). A retry
// is a purposeful_probe like a notice's or a suspicion's check: its
// sequence number, its deadline and its action on silence (confirm_miss)
// are its data, and the engine runs that action when it is counted:
//
//            round_sent                    judge                 count
//   idle ───────────────> awaiting ──────────────> overdue ─────────────> missed
//    ^  <─────────────────   │   <── answer/stop ──  │  <── answer/stop ──  │
//    │        answer/stop     │                      │                      │
//    │                        └──────── retry_sent (from any) ──> retrying ─┤
//    │                                                 judge │   count      │
//    │                                   retry_overdue <─────┘ ──> retry_missed
//    └──────────── round_end (any waiting state; see close) ───────────────┘
//
// - judge: the deadline passed and the engine looked at the probe. It is
//   *overdue*: it counts against the peer answering "elsewhere" (fast
//   confirmation on its other paths) until the wait ends.
// - count: the engine counted the overdue probe as a missed round (only
//   while the peer answers on another path); the round's end will not
//   count it again.
// - round_end (close): the next round INQ is due. A wait still open
//   becomes idle; its verdict is given once, here or at count, never
//   twice (see close_result). A retry whose own deadline is still ahead is
//   not blamed yet. In a mutual round without ACKs a retry is left to its
//   own timeout.
// - excused: a path learnt from an address list mid-round is not blamed
//   for its first round (its answer may have come before the path
//   existed): the first round_end that finds it waiting closes it without
//   a verdict. An answer ends the excuse too.
//
// PROTOCOL.md ("The evidence machine of a probe") has the transition
// table; test/unit/probe_wait_test.cpp walks every (state, event) pair
// against it. Pure: time passed in.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/purposeful_probe.hpp"

#include <cstdint>
#include <optional>

namespace faild {

enum class wait_state : std::uint8_t {
    idle,           ///< nothing of ours awaited
    awaiting,       ///< the round INQ, its deadline ahead (or none: the round's end decides)
    overdue,        ///< its deadline passed, not counted (judged)
    missed,         ///< its deadline passed and it was counted as a missed round
    retrying,       ///< a retry, its deadline ahead
    retry_overdue,  ///< the retry's deadline passed, not counted
    retry_missed,   ///< the retry's deadline passed and it was counted
};
inline constexpr int wait_state_count = 7;
const char* to_string(wait_state s);

enum class wait_event : std::uint8_t { round_sent, retry_sent, judge, count, answer, stop, round_end };
inline constexpr int wait_event_count = 7;
const char* to_string(wait_event e);

/// The state `e` leads to from `s` (round_end: past the retry's deadline,
/// not a quiet mutual round). The machine's transition table.
wait_state next_state(wait_state s, wait_event e);

class probe_wait {
public:
    wait_state state() const { return state_; }
    /// An answer of ours is awaited.
    bool awaiting() const { return state_ != wait_state::idle; }
    /// The probe awaited is a retry.
    bool retry() const;
    /// The probe awaited passed its deadline (judged, counted or not).
    bool overdue() const;
    /// The sequence number and send time of the probe awaited (or last awaited).
    std::uint32_t seq() const { return seq_; }
    timestamp sent() const { return sent_; }
    /// Its deadline while one is pending (a probe judged has none).
    std::optional<timestamp> deadline() const;
    /// The deadline is pending and passed at `now`.
    bool due(timestamp now) const;
    bool excused() const { return excused_; }

    /// A path learnt at `now`: awaiting the round in progress (`seq`) when
    /// one is, excused from it when learnt from an address list.
    void begin(bool awaiting_round, std::uint32_t seq, bool excused);
    /// The round's INQ `seq` left at `now`, judged at `deadline` if given.
    void round_sent(std::uint32_t seq, timestamp now, std::optional<timestamp> deadline);
    /// A retry left at `now`: awaited until its deadline, its silence
    /// does its action.
    void retry_sent(const purposeful_probe& retry, timestamp now);
    /// The retry awaited (judged, counted or not), if the probe awaited is one.
    std::optional<purposeful_probe> retry_probe() const;
    /// The deadline passed: the probe is overdue.
    void judge();
    /// The overdue probe was counted as a missed round.
    void count();
    /// The peer answered: nothing awaited, no excuse.
    void answer();
    /// Nothing awaited any more (carrier lost, the peer turned to mutual
    /// rounds), without a verdict.
    void stop();

    /// What round_end decided.
    enum class close_result {
        untouched,         ///< nothing was open (or a retry is left to its timeout)
        excused,           ///< closed without a verdict
        closed,            ///< closed; its verdict was given before (count), or a retry's deadline is ahead
        missed,            ///< closed: a missed round, suspected (the round INQ's silence)
        missed_confirmed,  ///< closed: a missed round, confirmed (our retry's silence)
    };
    /// The next round INQ is due at `now`: closes the wait. `quiet_mutual`:
    /// a mutual round without ACKs (a retry is left to its own timeout).
    close_result round_end(bool quiet_mutual, timestamp now);

private:
    wait_state state_ = wait_state::idle;
    bool excused_ = false;
    std::uint32_t seq_ = 0;
    timestamp sent_{0};
    timestamp deadline_{-1};  ///< the round INQ's; -1: none pending
    purposeful_probe retry_;  ///< the last retry (awaited while retry())
};

}  // namespace faild
