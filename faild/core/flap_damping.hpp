// DOC: flap_damping — keeps a flapping path from churning routes.
//
// As route flap damping (RFC 2439) does for BGP: each time a path goes down
// it earns a penalty; the penalty halves every half-life; above `suppress`
// the path is suppressed (routed around as if down, even while its probes
// succeed) until the penalty decays below `reuse`. Off by default: without
// it the f/s rules alone decide. Time is an argument.
#pragma once

#include "faild/core/clock.hpp"

namespace faild {

struct damping_config {
    bool enabled = false;
    double penalty = 1000;       ///< added at each flap (path going down)
    duration half_life = ms(15'000);
    double suppress = 2000;      ///< suppress when the penalty reaches this
    double reuse = 750;          ///< reuse when it decays below this
    double ceiling = 16000;      ///< the penalty never grows past this (bounds suppression)
};

class flap_damping {
public:
    /// The path went down at `now`: add a penalty. True when this made it
    /// suppressed.
    bool flap(const damping_config& c, timestamp now);
    /// Decay to `now`. True when this ended a suppression.
    bool decay(const damping_config& c, timestamp now);
    bool suppressed() const { return suppressed_; }
    double penalty() const { return penalty_; }
    /// When decay() should next be asked (the penalty reaches `reuse`).
    timestamp reuse_at(const damping_config& c) const;

private:
    double penalty_ = 0;
    timestamp updated_{0};
    bool suppressed_ = false;
};

}  // namespace faild
