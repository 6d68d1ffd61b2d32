// DOC: arrival_clock — see arrival_clock.hpp.
#include "faild/core/arrival_clock.hpp"

#include <algorithm>

namespace faild {

timestamp arrival_clock::arrival(std::optional<wall_stamp> stamp, wall_stamp wall_now, timestamp steady_now) {
    duration age{0};
    if (stamp) age = std::clamp(std::chrono::duration_cast<duration>(wall_now - *stamp), duration{0}, max_age);
    const timestamp t = std::max(steady_now - age, floor_);
    floor_ = t;
    return t;
}

void arrival_clock::note(timestamp t) { floor_ = std::max(floor_, t); }

}  // namespace faild
