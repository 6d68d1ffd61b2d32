// The engine's side of issue 20, item 1: a datagram cut by the receive
// buffer (longer than wire::max_size) is counted and logged as a drop, like
// every other.
#include "faild/core/engine.hpp"
#include "print_effects.hpp"

#include <doctest/doctest.h>

using namespace faild;

TEST_CASE("engine: an oversize datagram is counted and logged as a drop, the first in full, then counted") {
    std::vector<lan> lans = {{"eth0", 10, {*prefix::parse("192.0.2.1/24")}, {}},
                             {"eth1", 11, {*prefix::parse("198.51.100.1/24")}, {}}};
    engine_config c;
    c.node_id = "h1";
    c.interval = ms(100);
    engine e(c, lans, ms(0));
    engine_output out;
    e.note_oversize(1, *ip_address::parse("198.51.100.7"), ms(1), out);
    CHECK(e.drops().oversize == 1);
    CHECK(out.effects == effect_list{fx::datagram_dropped{"oversize", "eth1", *ip_address::parse("198.51.100.7")}});
    engine_output later;
    for (int i = 0; i < 1000; ++i) e.note_oversize(1, *ip_address::parse("198.51.100.7"), ms(2 + i), later);
    CHECK(e.drops().oversize == 1001);
    CHECK(later.effects.empty());  // counted, for the line a minute
    CHECK(later.sends.empty());
    CHECK_FALSE(later.paths_changed);
    e.note_oversize(7, *ip_address::parse("198.51.100.7"), ms(3), later);  // no such LAN: ignored
    CHECK(e.drops().oversize == 1001);
}
