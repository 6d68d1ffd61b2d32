// DOC: loop_lateness — see loop_lateness.hpp.
#include "faild/core/loop_lateness.hpp"

#include <algorithm>

namespace faild {

duration loop_lateness::threshold_for(duration t) { return std::max<duration>(ms(2), t / 4); }

std::optional<loop_lateness::report> loop_lateness::note(timestamp armed, timestamp woke) {
    ++pending_.wakeups;
    const duration late = woke - armed;
    if (late > threshold_) {
        ++pending_.late;
        pending_.worst = std::max(pending_.worst, late);
    }
    const bool first = !reported_ && pending_.late > 0;
    const bool due = reported_ && pending_.late > 0 && woke - last_report_ >= every_;
    if (!first && !due) return std::nullopt;
    report r = pending_;
    r.over = first ? duration{0} : woke - last_report_;
    reported_ = true;
    last_report_ = woke;
    pending_ = report{};
    return r;
}

}  // namespace faild
