#include "faild/core/flap_damping.hpp"

#include <doctest/doctest.h>

using namespace faild;

TEST_CASE("flap_damping: penalties add up, suppress, decay by half-lives, reuse") {
    damping_config c;
    c.enabled = true;  // penalty 1000, half-life 15 s, suppress 2000, reuse 750
    flap_damping d;
    CHECK_FALSE(d.flap(c, ms(0)));          // 1000
    CHECK_FALSE(d.flap(c, ms(1)));          // just under 2000 (it decays from the first)
    CHECK(d.flap(c, ms(2)));                // ~3000: suppressed
    CHECK(d.suppressed());
    CHECK_FALSE(d.decay(c, ms(15'002)));    // ~1500 after one half-life: still above reuse
    CHECK(d.penalty() == doctest::Approx(1500).epsilon(0.01));
    auto at = d.reuse_at(c);
    CHECK(at > ms(30'000));                 // 1500 -> 750 takes one more half-life
    CHECK_FALSE(d.decay(c, at - ms(10)));
    CHECK(d.decay(c, at));                  // below 750: reused, once
    CHECK_FALSE(d.suppressed());
    CHECK_FALSE(d.decay(c, at + ms(1)));
}

TEST_CASE("flap_damping: slow flaps never suppress, the ceiling bounds the suppression") {
    damping_config c;
    c.enabled = true;
    flap_damping slow;
    for (int i = 0; i < 20; ++i) CHECK_FALSE(slow.flap(c, ms(i * 60'000)));  // one a minute
    flap_damping fast;
    for (int i = 0; i < 1000; ++i) fast.flap(c, ms(i * 100));
    CHECK(fast.penalty() <= c.ceiling);
    // From the ceiling, reuse comes after log2(16000/750) ~ 4.4 half-lives.
    CHECK(fast.reuse_at(c) - ms(99'900) < ms(67'000));
}
