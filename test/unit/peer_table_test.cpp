#include "faild/core/peer_table.hpp"

#include <doctest/doctest.h>

using namespace faild;

TEST_CASE("peer_table: a path's next deadline is the earliest of its pending ones") {
    path pa(path_tracker(3, 3, ms(0)));
    pa.expect.start(ms(0), ms(100));  // the peer's INQ due at 150 ms
    CHECK(pa.next_deadline(false) == timestamp::max());  // nothing of ours pending
    CHECK(pa.next_deadline(true) == ms(150));           // the peer's INQ, when it is judged by them
    pa.wait.round_sent(1, ms(100), std::nullopt);
    CHECK(pa.next_deadline(false) == timestamp::max());  // awaited until the round's end: no timeout
    pa.wait.round_sent(1, ms(100), ms(120));
    CHECK(pa.next_deadline(false) == ms(120));
    CHECK(pa.next_deadline(true) == ms(120));
    pa.suspicion_check = purposeful_probe{1, ms(110), purposeful_probe::on_silence::settle};
    CHECK(pa.next_deadline(false) == ms(110));
    pa.notice_check = purposeful_probe{2, ms(105), purposeful_probe::on_silence::notice_down};
    CHECK(pa.next_deadline(false) == ms(105));
    // What is no longer pending is no deadline.
    pa.notice_check.reset();
    pa.suspicion_check.reset();
    pa.wait.answer();
    CHECK(pa.next_deadline(false) == timestamp::max());
}
