#include "faild/core/rtt_estimator.hpp"

#include <algorithm>

namespace faild {

void rtt_estimator::sample(duration rtt) {
    if (!measured()) {
        srtt_ = rtt;
        rttvar_ = rtt / 2;
        return;
    }
    const duration dev = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ = (rttvar_ * 3 + dev) / 4;
    srtt_ = (srtt_ * 3 + rtt) / 4;
}

duration rtt_estimator::rto(duration floor) const { return std::max(floor, srtt_ + rttvar_ * 4); }

}  // namespace faild
