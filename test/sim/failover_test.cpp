// Three daemons on two fake LANs: the story of a LAN failing and coming back.
#include "sim.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

engine_config config(const char* id, bool requestor) {
    engine_config c;
    c.node_id = id;
    c.incarnation = 1;
    c.requestor = requestor;
    c.interval = ms(100);
    c.fail_after = 3;
    c.up_after = 3;
    return c;
}

/// h1 and h2 are requestors (-r), h3 only answers: both roles are exercised.
struct three_hosts {
    sim::world w;
    sim::node& h1 = w.add_host(1, config("h1", true));
    sim::node& h2 = w.add_host(2, config("h2", true));
    sim::node& h3 = w.add_host(3, config("h3", false));

    bool all_up() {
        for (auto* n : {&h1, &h2, &h3})
            for (const auto& [id, p] : n->eng->peers())
                for (const auto& [li, pa] : p.paths)
                    if (pa.tracker.state() != path_state::up) return false;
        return h1.eng->peers().size() == 2 && h2.eng->peers().size() == 2 && h3.eng->peers().size() == 2;
    }
    bool no_routes() { return sim::world::routes(h1).empty() && sim::world::routes(h2).empty() && sim::world::routes(h3).empty(); }
};

const char* h1_routes = "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n";
const char* h2_routes =
    "192.0.2.1/32 via 198.51.100.1 dev eth1 src 192.0.2.2\n"
    "192.0.2.3/32 via 198.51.100.3 dev eth1 src 192.0.2.2\n";
const char* h3_routes = "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.3\n";

}  // namespace

TEST_CASE("sim: h2's LAN A goes silent; every host routes around it, then switches back") {
    three_hosts s;
    REQUIRE(s.w.run_until(ms(5000), [&] { return s.all_up(); }));
    CHECK(s.no_routes());

    const timestamp cut = s.w.now() + ms(37);  // between two probe rounds
    s.w.run_until(cut);
    s.w.net().set_cut(s.h2.ports[0], true);
    auto failed_over = s.w.run_until(cut + ms(5000), [&] {
        return sim::world::routes(s.h1) == h1_routes && sim::world::routes(s.h2) == h2_routes &&
               sim::world::routes(s.h3) == h3_routes;
    });
    REQUIRE(failed_over);
    // Requestors see f = 3 missed rounds: within 4 intervals of the cut. The
    // responder h3 judges by h2's INQs (1.5 intervals, then one per interval).
    CHECK(*failed_over - cut <= ms(450));
    // Nothing else moves while the fault lasts.
    s.w.run_until(s.w.now() + ms(3000));
    CHECK(sim::world::routes(s.h1) == h1_routes);
    CHECK(sim::world::routes(s.h2) == h2_routes);
    CHECK(sim::world::routes(s.h3) == h3_routes);

    const timestamp restore = s.w.now();
    s.w.net().set_cut(s.h2.ports[0], false);
    auto back = s.w.run_until(restore + ms(5000), [&] { return s.no_routes(); });
    REQUIRE(back);
    CHECK(*back - restore >= ms(200));  // s = 3 good rounds are needed, not one
    CHECK(s.all_up());
}

TEST_CASE("sim: a one-way failure is seen at both ends (heard list)") {
    three_hosts s;
    REQUIRE(s.w.run_until(ms(5000), [&] { return s.all_up(); }));
    // h3 still receives on LAN A, but nothing it sends there arrives: its ACKs
    // are lost. The requestors miss them; h3 learns it from their heard lists.
    s.w.net().set_cut(s.h3.ports[0], false, true);
    auto seen = s.w.run_until(s.w.now() + ms(5000), [&] {
        return sim::world::routes(s.h1) == "192.0.2.3/32 via 198.51.100.3 dev eth1 src 192.0.2.1\n" &&
               sim::world::routes(s.h2) == "192.0.2.3/32 via 198.51.100.3 dev eth1 src 192.0.2.2\n" &&
               sim::world::routes(s.h3) ==
                   "192.0.2.1/32 via 198.51.100.1 dev eth1 src 192.0.2.3\n"
                   "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.3\n";
    });
    CHECK(seen);
    bool one_way_logged = false;
    for (const auto& e : s.h3.log)
        if (e.text.find("event=path_down") == 0 && e.text.find("reason=one-way") != std::string::npos) one_way_logged = true;
    CHECK(one_way_logged);
}

TEST_CASE("sim: a clean stop (BYE) makes peers forget the node instead of failing over") {
    three_hosts s;
    REQUIRE(s.w.run_until(ms(5000), [&] { return s.all_up(); }));
    s.w.net().set_cut(s.h2.ports[0], true);
    REQUIRE(s.w.run_until(s.w.now() + ms(5000), [&] { return sim::world::routes(s.h1) == h1_routes; }));
    s.w.stop(s.h2);
    CHECK(sim::world::routes(s.h2).empty());
    s.w.run_until(s.w.now() + ms(10));
    CHECK(sim::world::routes(s.h1).empty());
    CHECK(sim::world::routes(s.h3).empty());
    CHECK(s.h1.eng->peers().count("h2") == 0);
    CHECK(s.h3.eng->peers().count("h2") == 0);
}

TEST_CASE("sim: carrier loss: the node fails over at once and its notice brings the others along in milliseconds") {
    three_hosts s;
    REQUIRE(s.w.run_until(ms(5000), [&] { return s.all_up(); }));
    const timestamp cut = s.w.now() + ms(37);
    s.w.run_until(cut);
    s.w.set_carrier(s.h2, 0, false);
    CHECK(sim::world::routes(s.h2) == h2_routes);  // at once, no round needed
    auto others = s.w.run_until(cut + ms(1000), [&] {
        return sim::world::routes(s.h1) == h1_routes && sim::world::routes(s.h3) == h3_routes;
    });
    REQUIRE(others);
    // Notice (0.2 ms) + our own unanswered probe (max(5 ms, 4 x RTT)):
    // well under one 100 ms round, let alone f = 3 of them.
    CHECK(*others - cut <= ms(20));
    for (auto* n : {&s.h1, &s.h3}) {
        bool by_notice = false;
        for (const auto& e : n->log)
            if (e.text.find("event=path_down peer=h2 lan=eth0") == 0 && e.text.find("reason=peer-notice") != std::string::npos)
                by_notice = true;
        CHECK(by_notice);
    }

    s.w.set_carrier(s.h2, 0, true);
    REQUIRE(s.w.run_until(s.w.now() + ms(5000), [&] { return s.no_routes(); }));
}
