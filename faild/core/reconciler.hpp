// DOC: reconciler — the only writer of routes.
//
// It reads faild's own routes back from the table (found by their protocol
// tag), diffs them against the desired set and applies the difference: add
// what is missing, replace in place what differs (no gap, unlike delete+add),
// remove what is no longer wanted. One run is one list() and one batch
// (route_table::apply): the backend hands every change of the run to the
// kernel at once, and reports each one's outcome, logged per change. Routes without faild's tag are invisible to
// it, so it never touches them. Run after every change, at startup (stale
// routes of an earlier run go) and at exit with an empty desired set.
// Each route event names the peer the plan chose for it (`peer=`), when the
// plan named one.
// A failed operation is logged and does not stop the others; the next run
// retries it, because it diffs against what is really installed. The
// periodic repair (every interval) retries a destination whose change
// failed only after its own back-off (repair_backoff): a route the table
// keeps refusing is not logged every interval, and delays no other.
#pragma once

#include "faild/core/effects.hpp"
#include "faild/core/repair_backoff.hpp"
#include "faild/core/route.hpp"
#include "faild/core/route_table.hpp"

#include <map>
#include <string>
#include <vector>

namespace faild {

const char* to_string(route_change::kind k);

/// The changes that turn `installed` into `desired`: removes first, then
/// replaces, then adds, each in destination order.
std::vector<route_change> diff_routes(const route_set& desired, const route_set& installed);

class reconciler {
public:
    /// `retry_base`: the repair's first wait before it tries a refused
    /// destination again (the repair period suits; doubling up to 30 s).
    explicit reconciler(route_table& table, duration retry_base = ms(1000))
        : table_(table), backoff_(retry_base) {}

    /// Make the table hold exactly `desired`, trying every change (waits
    /// of the repair do not apply: the plan changed, or faild exits). `why`
    /// names the reason for removals in the log ("switchback", "stale",
    /// "shutdown", ...). Returns false when the table could not be read or
    /// a change failed.
    bool reconcile(const route_set& desired, sync_reason why, effect_list& out);

    /// The periodic check at `now`: like reconcile(), but a route it has to
    /// put back was removed by someone else, and is logged so
    /// (`route_restored`); and a destination whose change failed before is
    /// tried only once its back-off has passed.
    bool repair(const route_set& desired, timestamp now, effect_list& out);

    /// What the last successful read plus applied changes say is installed.
    const route_set& installed() const { return installed_; }
    /// Whether the table could be read at the last run (if not, nothing
    /// was changed, and only a later run can tell what is there).
    bool table_readable() const { return readable_; }
    /// The waits of destinations the table refused (for tests and status).
    const repair_backoff& backoff() const { return backoff_; }

private:
    bool apply(const route_set& desired, sync_reason why, std::optional<timestamp> repair_at, effect_list& out);
    /// Change `change` was made: installed_ follows it, and it is reported
    /// (an add of a route we believed installed, or in a repair, as restored).
    void note_done(const route_change& change, const route_set& desired, const route_set& believed, sync_reason why,
                   bool repairing, effect_list& out);

    route_table& table_;
    route_set installed_;
    /// The peer the plan named for each destination it wanted (the table
    /// does not keep it): route events carry it, also a removal's.
    std::map<ip_address, std::string> peer_of_;
    repair_backoff backoff_;
    bool readable_ = true;
};

}  // namespace faild
