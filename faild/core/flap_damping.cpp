#include "faild/core/flap_damping.hpp"

#include <cmath>

namespace faild {

bool flap_damping::decay(const damping_config& c, timestamp now) {
    if (now > updated_ && penalty_ > 0) {
        double elapsed = double((now - updated_).count());
        penalty_ *= std::exp2(-elapsed / double(c.half_life.count()));
    }
    updated_ = now;
    if (suppressed_ && penalty_ < c.reuse) {
        suppressed_ = false;
        return true;
    }
    return false;
}

bool flap_damping::flap(const damping_config& c, timestamp now) {
    decay(c, now);
    penalty_ = std::min(penalty_ + c.penalty, c.ceiling);
    if (!suppressed_ && penalty_ >= c.suppress) {
        suppressed_ = true;
        return true;
    }
    return false;
}

timestamp flap_damping::reuse_at(const damping_config& c) const {
    if (!suppressed_ || penalty_ <= c.reuse) return updated_;
    double halvings = std::log2(penalty_ / c.reuse);
    return updated_ + duration(static_cast<long long>(std::ceil(halvings * double(c.half_life.count())))) + duration(1);
}

}  // namespace faild
