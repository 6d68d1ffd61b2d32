// DOC: loop_lateness_test — late wakeups of the probe loop: the first said
// at once, then a summary a minute at most, with the worst; on time is
// never said.
#include "faild/core/loop_lateness.hpp"

#include <doctest/doctest.h>

using namespace faild;

TEST_CASE("loop_lateness: the threshold is a quarter interval, at least 2 ms") {
    CHECK(loop_lateness::threshold_for(ms(10)) == ms(2) + std::chrono::microseconds(500));
    CHECK(loop_lateness::threshold_for(ms(4)) == ms(2));
    CHECK(loop_lateness::threshold_for(ms(1000)) == ms(250));
}

TEST_CASE("loop_lateness: wakeups on time (or late by the threshold exactly) are never reported") {
    loop_lateness w(ms(2));
    for (int i = 1; i <= 10'000; ++i) CHECK_FALSE(w.note(ms(10 * i), ms(10 * i) + ms(2)));
}

TEST_CASE("loop_lateness: the first late wakeup at once, then one summary a minute with the count and the worst") {
    loop_lateness w(ms(2));
    CHECK_FALSE(w.note(ms(10), ms(11)));
    auto first = w.note(ms(20), ms(200));  // 180 ms late: faild stalled
    REQUIRE(first);
    CHECK(first->late == 1);
    CHECK(first->wakeups == 2);
    CHECK(first->worst == ms(180));
    CHECK(first->over == ms(0));
    // More late ones within the minute: counted, not said.
    CHECK_FALSE(w.note(ms(300), ms(305)));
    CHECK_FALSE(w.note(ms(400), ms(450)));
    CHECK_FALSE(w.note(ms(500), ms(501)));
    // A minute after the first report: the summary.
    auto later = w.note(ms(60'200), ms(60'203));
    REQUIRE(later);
    CHECK(later->late == 3);
    CHECK(later->wakeups == 4);
    CHECK(later->worst == ms(50));
    CHECK(later->over == ms(60'003));
    // A quiet minute after it: nothing to say.
    CHECK_FALSE(w.note(ms(121'000), ms(121'001)));
}
