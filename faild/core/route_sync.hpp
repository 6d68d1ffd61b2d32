// DOC: route_sync — when faild's routes are written: the policy around the
// reconciler, with time an argument.
//
//   start ──> adopt an earlier run's routes ──> first sync ("stale")
//   plan changed ──> sync(why)          (every change tried at once)
//   repair timer ──> repair()           (refused routes wait their back-off)
//   exit ──> stop()                      (every route of ours goes)
//
// Adoption: routes an earlier run left (a crash, SIGKILL) are kept while
// the paths are learnt again, (f + 2) intervals, so an outage that outlived
// the restart keeps its routes without a gap; a destination the plan wants
// takes the plan's route, and what is still adopted when the window closes
// goes as stale. The repair period: every interval (at least 50 ms) while
// faild has routes or wants some, doubling up to 30 s while the table
// cannot be read, and every 10 s when there is nothing of ours to put back.
// The daemon keeps the timer and makes the calls; this file decides.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/effects.hpp"
#include "faild/core/reconciler.hpp"
#include "faild/core/route.hpp"

namespace faild {

class route_sync {
public:
    /// `interval` and `fail_after`: the probe settings (the adoption window
    /// is (fail_after + 2) intervals; the repair period one interval).
    route_sync(platform::route_table& table, duration interval, unsigned fail_after);

    /// At start: adopts what the table holds of ours (fx::routes_adopted)
    /// and makes the first sync, which keeps them. Returns that sync's result.
    bool start(const route_set& plan, timestamp now, effect_list& out);
    /// The plan changed (`why`: "switchback", "replanned", "peer_gone"):
    /// every change is tried now. Past the adoption window, what is still
    /// adopted goes, as stale.
    bool sync(const route_set& plan, const char* why, timestamp now, effect_list& out);
    /// The repair timer: puts back what something else removed; a route the
    /// table refused waits its back-off. Closes the adoption window when due.
    bool repair(const route_set& plan, timestamp now, effect_list& out);
    /// Exit: every route of ours goes. False when some are left.
    bool stop(effect_list& out);

    /// How long until the next repair, as of the last sync or repair.
    duration period(const route_set& plan) const;
    /// Whether routes are watched at the repair period (faild has routes,
    /// adopted ones or wants some), rather than idling at 10 s.
    bool watching(const route_set& plan) const;
    /// What the routes should be now: the plan, plus what is still adopted
    /// and the plan does not replace.
    route_set desired(const route_set& plan, timestamp now) const;

    const route_set& installed() const { return rec_.installed(); }
    const reconciler& rec() const { return rec_; }
    bool adopting() const { return !adopted_.empty(); }

private:
    /// Closes the adoption window when it is over: true when it did.
    bool close_adoption(timestamp now);
    void note(bool table_readable);

    reconciler rec_;
    platform::route_table& table_;
    duration base_;          ///< the repair period while routes are watched
    duration window_;        ///< how long an earlier run's routes are adopted
    duration period_;        ///< base_, or longer while the table is unreadable
    route_set adopted_;
    timestamp adopt_until_{0};
};

}  // namespace faild
