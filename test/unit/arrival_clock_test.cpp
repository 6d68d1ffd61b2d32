// DOC: arrival_clock_test — kernel arrival stamps (wall clock) on the
// core's steady clock: the age carried over, a stepped wall clock bounded,
// and time never going back for the engine.
#include "faild/core/arrival_clock.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {
/// Wall-clock nanoseconds from milliseconds (an epoch far from the steady one).
wall_stamp wall_ms(long long v) { return std::chrono::milliseconds(1'700'000'000'000LL + v); }
}  // namespace

TEST_CASE("arrival_clock: a datagram is as old on the steady clock as on the wall clock") {
    arrival_clock c;
    // Read at steady 5000 ms, wall 1000 ms; stamped at wall 970 ms: it
    // arrived 30 ms before the read.
    CHECK(c.arrival(wall_ms(970), wall_ms(1000), ms(5000)) == ms(4970));
    // Microseconds survive the conversion.
    CHECK(c.arrival(wall_ms(999) + std::chrono::microseconds(250), wall_ms(1000), ms(5000)) ==
          ms(4999) + std::chrono::microseconds(250));
}

TEST_CASE("arrival_clock: no stamp, or a stamp from the future, is the read time") {
    arrival_clock c;
    CHECK(c.arrival(std::nullopt, wall_ms(1000), ms(5000)) == ms(5000));
    arrival_clock d;
    CHECK(d.arrival(wall_ms(1500), wall_ms(1000), ms(5000)) == ms(5000));  // wall clock stepped back
}

TEST_CASE("arrival_clock: a stamp older than max_age counts as max_age (wall clock stepped forward)") {
    arrival_clock c;
    CHECK(c.arrival(wall_ms(-60'000), wall_ms(1000), ms(5000)) == ms(5000) - arrival_clock::max_age);
}

TEST_CASE("arrival_clock: never before a tick the engine saw, nor before an arrival handed out") {
    arrival_clock c;
    c.note(ms(4990));
    // Queued at 4970, before the tick at 4990 that already judged it: 4990.
    CHECK(c.arrival(wall_ms(970), wall_ms(1000), ms(5000)) == ms(4990));
    // The next socket's datagram, stamped earlier still: not before the last one.
    CHECK(c.arrival(wall_ms(980), wall_ms(1000), ms(5000)) == ms(4990));
    CHECK(c.arrival(wall_ms(995), wall_ms(1000), ms(5000)) == ms(4995));
    // A note earlier than what was handed out moves nothing back.
    c.note(ms(4000));
    CHECK(c.arrival(wall_ms(980), wall_ms(1000), ms(5000)) == ms(4995));
}
