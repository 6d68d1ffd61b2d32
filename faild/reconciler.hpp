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
// A failed operation is logged and does not stop the others; the next run
// (the daemon repairs every interval) retries it, because it diffs against
// what is really installed.
#pragma once

#include "faild/event.hpp"
#include "faild/route.hpp"
#include "platform/platform.hpp"

#include <vector>

namespace faild {

using platform::route_change;
const char* to_string(route_change::kind k);

/// The changes that turn `installed` into `desired`: removes first, then
/// replaces, then adds, each in destination order.
std::vector<route_change> diff_routes(const route_set& desired, const route_set& installed);

class reconciler {
public:
    explicit reconciler(platform::route_table& table) : table_(table) {}

    /// Make the table hold exactly `desired`. `why` names the reason for
    /// removals in the log ("switchback", "stale", "shutdown", ...).
    /// Returns false when the table could not be read or a change failed.
    bool reconcile(const route_set& desired, const char* why, event_list& events);

    /// The periodic check: like reconcile(), but a route it has to put back
    /// was removed by someone else, and is logged so (`route_restored`).
    bool repair(const route_set& desired, event_list& events);

    /// What the last successful read plus applied changes say is installed.
    const route_set& installed() const { return installed_; }

private:
    bool apply(const route_set& desired, const char* why, bool repairing, event_list& events);

    platform::route_table& table_;
    route_set installed_;
};

}  // namespace faild
