// DOC: stall_guard — see stall_guard.hpp.
#include "faild/core/stall_guard.hpp"

#include "faild/core/loop_lateness.hpp"

#include <algorithm>

namespace faild::stall_guard {

duration slack(duration interval) { return loop_lateness::threshold_for(interval); }

bool judged_late(timestamp due, timestamp now, duration interval) { return now - due > slack(interval); }

bool silent(const path& pa, std::optional<timestamp> due, timestamp now, duration instant) {
    return pa.tracker.missed() > 0 || pa.owed > 0 || pa.suspicion_check.has_value() || pa.wait.overdue() ||
           (due && *due <= now + instant);
}

duration fresh_wait(duration usual, duration peer_interval, bool mass) {
    return mass ? std::max({usual, peer_interval, longest_stall}) : usual;
}

}  // namespace faild::stall_guard
