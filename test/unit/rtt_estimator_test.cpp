#include "faild/core/rtt_estimator.hpp"

#include <doctest/doctest.h>

using namespace faild;

TEST_CASE("rtt_estimator: nothing measured until the first sample") {
    rtt_estimator r;
    CHECK_FALSE(r.measured());
    CHECK(r.srtt() == duration(0));
    CHECK(r.rttvar() == duration(0));
}

TEST_CASE("rtt_estimator: the first sample sets SRTT to it and RTTVAR to half of it") {
    rtt_estimator r;
    r.sample(ms(20));
    CHECK(r.measured());
    CHECK(r.srtt() == ms(20));
    CHECK(r.rttvar() == ms(10));
    CHECK(r.rto(ms(2)) == ms(60));    // 20 + 4 x 10
    CHECK(r.rto(ms(100)) == ms(100));  // the floor
}

TEST_CASE("rtt_estimator: later samples move RTTVAR, then SRTT, by a quarter") {
    rtt_estimator r;
    r.sample(ms(1));
    r.sample(ms(8));
    // RTTVAR: (3 x 500 us + |1 ms - 8 ms|) / 4 = 2125 us; SRTT: (3 x 1 ms + 8 ms) / 4.
    CHECK(r.rttvar() == duration(2125));
    CHECK(r.srtt() == duration(2750));
    // A steady RTT: the deviation decays towards zero, SRTT stays.
    rtt_estimator steady;
    steady.sample(ms(4));
    for (int i = 0; i < 40; ++i) steady.sample(ms(4));
    CHECK(steady.srtt() == ms(4));
    CHECK(steady.rttvar() == duration(0));
    CHECK(steady.rto(ms(2)) == ms(4));
}
