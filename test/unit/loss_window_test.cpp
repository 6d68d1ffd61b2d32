#include "faild/core/loss_window.hpp"

#include <doctest/doctest.h>

using namespace faild;

TEST_CASE("loss_window: per cent missed over the last minute") {
    loss_window w;
    CHECK_FALSE(w.loss_percent(ms(0)));
    for (int i = 0; i < 90; ++i) w.record(ms(i * 100), true);   // 0..9 s: good
    for (int i = 90; i < 100; ++i) w.record(ms(i * 100), false);  // 9..10 s: missed
    CHECK(*w.loss_percent(ms(10'000)) == doctest::Approx(10.0));
    // 70 s later the old rounds have left the window...
    w.record(ms(80'000), true);
    CHECK(*w.loss_percent(ms(80'000)) == doctest::Approx(0.0));
    // ...and with nothing in the last minute there is no figure.
    CHECK_FALSE(w.loss_percent(ms(200'000)));
}
