// DOC: rtt_estimator — the smoothed round-trip time of one path (RFC 6298).
//
// The first sample R sets SRTT = R and RTTVAR = R / 2; each later one
// moves RTTVAR by a quarter towards |SRTT - R| (beta = 1/4, as RFC 6298)
// and then SRTT by a quarter towards R (alpha = 1/4: RFC 6298 has 1/8; a
// path gets few samples, one every 64 rounds in mutual rounds, so each
// counts for more). The retransmission timeout is SRTT + 4 x RTTVAR, at
// least a floor. Which answers are samples (Karn's rule: none after a
// retry) is the caller's decision. Integer microseconds, no clock.
#pragma once

#include "faild/core/clock.hpp"

namespace faild {

class rtt_estimator {
public:
    /// One round-trip sample.
    void sample(duration rtt);
    /// Whether any sample came yet.
    bool measured() const { return srtt_.count() > 0; }
    /// The smoothed round-trip time, 0 until measured.
    duration srtt() const { return srtt_; }
    /// Its mean deviation, 0 until measured.
    duration rttvar() const { return rttvar_; }
    /// SRTT + 4 x RTTVAR, at least `floor` (meaningful once measured).
    duration rto(duration floor) const;

private:
    duration srtt_{0};
    duration rttvar_{0};
};

}  // namespace faild
