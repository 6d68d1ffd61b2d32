// DOC: stall_guard — the busy-host rules: a silence that is probably faild's
// own costs a fresh probe, never a route.
//
// On a busy host faild itself stalls (the scheduler, a page fault, a VM's
// steal time) for tens of milliseconds. When it runs again every deadline
// that fell in the stall is due at once, and every path to every peer looks
// silent in the same instant, as if both LANs had failed together. Two
// rules tell such a silence apart from a failure before anything counts:
//
//   stall         a deadline judged more than slack(t) after it was due was
//                 missed while faild itself did not run: its peer may have
//                 answered in time, or not yet had the chance to.
//   mass silence  every path of a peer that is up is silent at once (each
//                 has a miss counted, owed or due within the same instant,
//                 or a probe of ours overdue): a double failure is far less
//                 likely than a stall here or there. Nothing could be
//                 failed over to anyway, so waiting costs no failover time.
//
// Either way the miss is *held*: it is owed, and one fresh probe goes to
// the peer on that path (the engine's purposeful probe, marked last
// chance). Answered, the silence does not count; unanswered within its
// wait, the owed misses count as they would have. A last-chance probe is
// not held again for a mass silence, and for a late judgment at most
// max_late_probes times, so a peer that truly died still goes down, a wait
// or a few later. A single LAN that goes silent holds nothing: the peer answers on
// the other LAN, no deadline is late, and failover is as fast as ever.
//
// Pure: the engine hands in the paths and the time.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/peer_table.hpp"

#include <optional>

namespace faild::stall_guard {

/// How late a deadline may be judged and still count as judged on time:
/// max(2 ms, t / 4), the threshold of the daemon's event=loop_late
/// (loop_lateness::threshold_for), so the log's loop_late lines say when
/// this rule was at work. Below 2 ms a healthy loop's timer and wakeup
/// jitter (50 us timer slack, a loaded run queue) would trip it; above a
/// quarter of the interval the counting rules' own margins (a responder's
/// 1.5 t, the mutual slack) no longer cover the lateness, so a miss judged
/// that late may be one that faild, not the peer, caused.
duration slack(duration interval);

/// How often a last-chance probe judged late is sent again before its
/// silence counts anyway: a loop late at every wakeup still lets a peer
/// that is gone go down, at most this many waits later.
inline constexpr unsigned max_late_probes = 3;

/// A deadline `due`, judged at `now` by a loop that runs every `interval`,
/// was missed while faild itself was stalled (more than slack late).
bool judged_late(timestamp due, timestamp now, duration interval);

/// Path `pa` is silent at `now` for the mass-silence rule: a miss counted
/// since its last good round, misses owed or a check of ours in flight, a
/// probe of ours overdue, or its next deadline (`due`: the earliest at
/// which a silence of it is judged) no later than `instant` from now.
bool silent(const path& pa, std::optional<timestamp> due, timestamp now, duration instant);

/// Every path of `p` that is up is silent (`silent_of(key, path)`), and
/// there is at least one.
template <class SilentOf>
bool mass_silence(const peer& p, SilentOf silent_of) {
    bool any_up = false;
    for (const auto& [k, pa] : p.paths) {
        if (pa.tracker.state() != path_state::up) continue;
        any_up = true;
        if (!silent_of(k, pa)) return false;
    }
    return any_up;
}

/// How long the fresh probe of a held miss waits: `usual` (the path's check
/// timeout) after a stall; for a mass silence at least the peer's interval
/// (nothing to fail over to: the wait delays only the verdict on a peer
/// that is gone, and it covers a peer that stalled for up to an interval),
/// and at least longest_stall.
duration fresh_wait(duration usual, duration peer_interval, bool mass);

/// The longest stall of a host that a mass silence's probe waits out. The
/// load runs of issue 24 (t = 0.01, the bench's load mix, 2 vCPUs) saw
/// faild's loop up to about 150 ms late under SCHED_RR, and every false
/// failover left was a peer heard again 20-40 ms after all its paths went
/// down in one tick: a wait of one interval (10 ms) was too short. A peer
/// that is truly gone is declared down this much later; nothing could be
/// failed over to anyway, so no failover waits for it.
inline constexpr duration longest_stall = std::chrono::milliseconds(250);

}  // namespace faild::stall_guard
