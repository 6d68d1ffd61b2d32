#include "faild/core/peer_table.hpp"

#include <doctest/doctest.h>

using namespace faild;

TEST_CASE("peer_table: a path's next deadline is the earliest of its pending ones") {
    path pa(path_tracker(3, 3, ms(0)));
    pa.inq_deadline = ms(150);
    CHECK(pa.next_deadline(false) == timestamp::max());  // nothing of ours pending
    CHECK(pa.next_deadline(true) == ms(150));           // the peer's INQ, when it is judged by them
    pa.wait.round_sent(1, ms(100), std::nullopt);
    CHECK(pa.next_deadline(false) == timestamp::max());  // awaited until the round's end: no timeout
    pa.wait.round_sent(1, ms(100), ms(120));
    CHECK(pa.next_deadline(false) == ms(120));
    CHECK(pa.next_deadline(true) == ms(120));
    pa.check_pending = true;
    pa.check_deadline = ms(110);
    CHECK(pa.next_deadline(false) == ms(110));
    pa.confirm_pending = true;
    pa.confirm_deadline = ms(105);
    CHECK(pa.next_deadline(false) == ms(105));
    // What is no longer pending is no deadline.
    pa.confirm_pending = pa.check_pending = false;
    pa.wait.answer();
    CHECK(pa.next_deadline(false) == timestamp::max());
}
