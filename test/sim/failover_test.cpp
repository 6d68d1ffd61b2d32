// Three daemons on two fake LANs: the story of a LAN failing and coming back.
#include "sim.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

engine_config config(const char* id, bool requestor, bool fast_confirm = true) {
    engine_config c;
    c.fast_confirm = fast_confirm;
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
    explicit three_hosts(bool fast_confirm = true) : fast(fast_confirm) {}
    bool fast;
    sim::world w;
    sim::node& h1 = w.add_host(1, config("h1", true, fast));
    sim::node& h2 = w.add_host(2, config("h2", true, fast));
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

using sim::h1_routes;
using sim::h2_routes;
using sim::h3_routes;

}  // namespace

TEST_CASE("sim: h2's LAN A goes silent, every host routes around it, then switches back") {
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
    // Without fast confirmation, so that h3 learns it from the heard lists
    // before the requestors' notices could tell it.
    three_hosts s(false);
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
    const auto changes = effects_of<fx::path_changed>(s.h3.log);
    CHECK(std::any_of(changes.begin(), changes.end(),
                      [](const fx::path_changed& c) { return c.down() && c.reason == down_reason::one_way; }));
}

TEST_CASE("sim: a clean stop (BYE) makes peers forget the node instead of failing over") {
    three_hosts s;
    REQUIRE(s.w.run_until(ms(5000), [&] { return s.all_up(); }));
    s.w.net().set_cut(s.h2.ports[0], true);
    REQUIRE(s.w.run_until(s.w.now() + ms(5000), [&] { return sim::world::routes(s.h1) == h1_routes; }));
    s.w.stop(s.h2);
    CHECK(sim::world::routes(s.h2).empty());
    // Without keys a BYE is checked: two rounds of probes the stopped node
    // cannot answer, each the retry timeout's floor (t / 10) at least.
    s.w.run_until(s.w.now() + ms(21));
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
        const auto changes = effects_of<fx::path_changed>(n->log);
        CHECK(std::any_of(changes.begin(), changes.end(), [](const fx::path_changed& c) {
            return c.down() && c.path.peer == "h2" && c.path.lan == "eth0" && c.reason == down_reason::peer_notice;
        }));
    }

    s.w.set_carrier(s.h2, 0, true);
    REQUIRE(s.w.run_until(s.w.now() + ms(5000), [&] { return s.no_routes(); }));
}

namespace {

/// h2's LAN A flaps (1 s cut, 1 s restored) for 30 s; counts h1's route
/// changes, and returns h1's routes at the end of the flapping.
std::pair<int, std::string> flap_for_30s(bool damping) {
    sim::world w;
    auto c1 = config("h1", true), c2 = config("h2", true);
    c1.damping.enabled = c2.damping.enabled = damping;
    auto& h1 = w.add_host(1, c1);
    auto& h2 = w.add_host(2, c2);
    (void)w.run_until(ms(5000), [&] { return !h1.eng->peers().empty() && sim::world::routes(h1).empty() &&
                                            h1.eng->peers().at("h2").paths.size() == 2; });
    w.run_until(w.now() + ms(2000));
    std::size_t before = h1.log.size();
    for (int i = 0; i < 15; ++i) {
        w.net().set_cut(h2.ports[0], true);
        w.run_until(w.now() + ms(1000));
        w.net().set_cut(h2.ports[0], false);
        w.run_until(w.now() + ms(1000));
    }
    int changes = 0;
    for (std::size_t i = before; i < h1.log.size(); ++i)
        if (const auto* r = std::get_if<fx::route_changed>(&h1.log[i]))
            if (r->what == fx::route_changed::op::added || r->what == fx::route_changed::op::removed) ++changes;
    return {changes, sim::world::routes(h1)};
}

}  // namespace

TEST_CASE("sim: a LAN flapping every second for 30 s: f/s rules exactly without damping, few changes with it") {
    // Without damping: each 1 s cut is seen after f = 3 rounds and each 1 s
    // repair after s = 3: one route in and one out per flap, 15 flaps.
    auto [plain, plain_end] = flap_for_30s(false);
    CHECK(plain == 30);
    CHECK(plain_end.empty());
    // With damping (penalty 1000, suppress 2000, half-life 15 s): the third
    // flap suppresses the path; the route stays in for the rest.
    auto [damped, damped_end] = flap_for_30s(true);
    MESSAGE("route changes in 30 s of flapping: " << plain << " without damping, " << damped << " with it");
    CHECK(damped <= 6);
    CHECK(damped_end == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
}

TEST_CASE("sim: a suppressed path is reused once the flapping stops and the penalty decays") {
    sim::world w;
    auto c1 = config("h1", true), c2 = config("h2", true);
    c1.damping.enabled = c2.damping.enabled = true;
    c1.damping.half_life = c2.damping.half_life = ms(5000);  // short, so reuse comes within the test
    auto& h1 = w.add_host(1, c1);
    auto& h2 = w.add_host(2, c2);
    w.run_until(ms(3000));
    for (int i = 0; i < 4; ++i) {
        w.net().set_cut(h2.ports[0], true);
        w.run_until(w.now() + ms(1000));
        w.net().set_cut(h2.ports[0], false);
        w.run_until(w.now() + ms(1000));
    }
    CHECK(sim::world::routes(h1) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");  // suppressed
    bool suppressed_logged = false;
    suppressed_logged = !effects_of<fx::path_suppressed>(h1.log).empty();
    CHECK(suppressed_logged);
    auto back = w.run_until(w.now() + ms(60'000), [&] { return sim::world::routes(h1).empty(); });
    REQUIRE(back);
    bool reused_logged = false;
    reused_logged = !effects_of<fx::path_reused>(h1.log).empty();
    CHECK(reused_logged);
}

namespace {

/// Two nodes that know only each other, every path up (and with an RTT
/// measured, if `rtt`).
bool pair_up(sim::node& a, sim::node& b, bool rtt) {
    for (auto* n : {&a, &b})
        for (const auto& [id, p] : n->eng->peers())
            for (const auto& [k, pa] : p.paths)
                if (pa.tracker.state() != path_state::up || (rtt && !pa.rtt.measured())) return false;
    return a.eng->peers().size() == 1 && b.eng->peers().size() == 1;
}

}  // namespace

TEST_CASE("sim: fast confirmation: a silent cut is confirmed within a round and f retry timeouts, without it, f rounds") {
    for (auto [fast, mutual] : {std::pair{true, true}, {true, false}, {false, true}, {false, false}}) {
        CAPTURE(fast);
        CAPTURE(mutual);
        auto c1 = config("h1", true), c2 = config("h2", true);
        c1.fast_confirm = c2.fast_confirm = fast;
        c1.mutual = c2.mutual = mutual;
        sim::world w;
        sim::node& h1 = w.add_host(1, c1);
        sim::node& h2 = w.add_host(2, c2);
        REQUIRE(w.run_until(ms(5000), [&] { return pair_up(h1, h2, true); }));
        // Two more rounds: mutual peers time each other's next INQ with
        // the RTT, and the first sample has just come in.
        w.run_until(w.now() + ms(200));
        const timestamp cut = w.now() + ms(37);
        w.run_until(cut);
        w.net().set_cut(h2.ports[0], true);
        auto failed_over = w.run_until(cut + ms(5000), [&] {
            return sim::world::routes(h1) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n" &&
                   sim::world::routes(h2) == "192.0.2.1/32 via 198.51.100.1 dev eth1 src 192.0.2.2\n";
        });
        REQUIRE(failed_over);
        const duration took = *failed_over - cut;
        MESSAGE("fast=", fast, " mutual=", mutual, ": both hosts routed around the cut after ", took.count(), " us");
        if (fast) {
            // The next round's INQ (at most one interval away), then three
            // timeouts of 10 ms (the floor: the simulated RTT is 0.4 ms).
            CHECK(took <= ms(100 + 3 * 10 + 2));
        } else {
            CHECK(took >= ms(200));
            CHECK(took <= ms(400));
        }
        // Nothing flaps while the cut lasts, and the switchback is clean.
        w.run_until(w.now() + ms(2000));
        CHECK(sim::world::routes(h1) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
        w.net().set_cut(h2.ports[0], false);
        REQUIRE(w.run_until(w.now() + ms(5000),
                            [&] { return sim::world::routes(h1).empty() && sim::world::routes(h2).empty(); }));
    }
}

TEST_CASE("sim: mutual rounds halve the datagrams between requestors, a pair without them on either side ACKs all") {
    std::uint64_t sent[3] = {};
    for (int variant = 0; variant < 3; ++variant) {
        CAPTURE(variant);
        // 0: both with mutual rounds; 1: h2 without; 2: neither.
        auto c1 = config("h1", true), c2 = config("h2", true);
        c1.mutual = variant != 2;
        c2.mutual = variant == 0;
        sim::world w;
        sim::node& h1 = w.add_host(1, c1);
        sim::node& h2 = w.add_host(2, c2);
        REQUIRE(w.run_until(ms(5000), [&] { return pair_up(h1, h2, false); }));
        // Past the first RTT samples: mutual paths ask for ACKs in the 8
        // rounds after they come up.
        w.run_until(w.now() + ms(1000));
        const std::uint64_t before = w.net().sent();
        w.run_until(w.now() + ms(10'000));
        sent[variant] = w.net().sent() - before;
        MESSAGE("variant ", variant, ": ", sent[variant], " datagrams in 10 s");
        // Steady: nothing missed, nothing routed, on either host.
        for (auto* n : {&h1, &h2})
            for (const auto& [id, p] : n->eng->peers())
                for (const auto& [k, pa] : p.paths) {
                    CHECK(pa.tracker.state() == path_state::up);
                    CHECK(pa.tracker.missed() == 0);
                }
        CHECK(sim::world::routes(h1).empty());
        CHECK(sim::world::routes(h2).empty());
    }
    // 2 hosts x 2 LANs x 100 rounds of INQs, and an ACK for each of them
    // without mutual rounds; with them, an ACK for every 64th only.
    CHECK(sent[2] >= 790);
    CHECK(sent[2] <= 810);
    CHECK(sent[1] == sent[2]);
    CHECK(sent[0] >= 400);
    CHECK(sent[0] <= 412);
}

TEST_CASE("sim: requestors whose round sequence numbers run out renew their incarnation, and nothing else moves") {
    // Keyed (incarnations must then grow). h1 and h2 may count up to 40
    // rounds (4 s) per incarnation; 30 s of it, then a silent cut still
    // fails over.
    std::string err;
    keyring keys;
    REQUIRE(keys.parse(std::string(64, 'a'), "k", err));
    auto c1 = config("h1", true), c2 = config("h2", true), c3 = config("h3", false);
    for (auto* c : {&c1, &c2, &c3}) c->keys = keys;
    c1.round_seq_limit = c2.round_seq_limit = 40;
    // As the daemon does: every incarnation's rounds start at random (at
    // most 20 here), so an incarnation lasts 20 to 40 rounds.
    c1.seq_seed = 11;
    c2.seq_seed = 22;
    c3.seq_seed = 33;
    c1.incarnation = 1000;
    c2.incarnation = 2000;
    c3.incarnation = 3000;
    sim::world w;
    sim::node& h1 = w.add_host(1, c1);
    sim::node& h2 = w.add_host(2, c2);
    sim::node& h3 = w.add_host(3, c3);
    auto all_up = [&] {
        for (auto* n : {&h1, &h2, &h3}) {
            if (n->eng->peers().size() != 2) return false;
            for (const auto& [id, p] : n->eng->peers())
                for (const auto& [k, pa] : p.paths)
                    if (pa.tracker.state() != path_state::up) return false;
        }
        return true;
    };
    REQUIRE(w.run_until(ms(5000), all_up));
    auto renewals = [](const sim::node& n) { return effects_of<fx::incarnation_renewed>(n.log).size(); };
    w.run_until(w.now() + ms(30'000));
    CHECK(renewals(h1) >= 7);
    CHECK(renewals(h2) >= 7);
    CHECK(renewals(h3) == 0);  // a responder sends no rounds
    CHECK(h1.eng->incarnation() == 1000 + renewals(h1));
    for (auto* n : {&h1, &h2, &h3}) {
        CAPTURE(n->id);
        CHECK(sim::world::downs(*n) == 0);
        CHECK(n->eng->drops().replay == 0);
        CHECK(n->eng->drops().id_collision == 0);
        CHECK(sim::world::routes(*n).empty());
        for (const auto& [id, p] : n->eng->peers())
            for (const auto& [k, pa] : p.paths) {
                CHECK(pa.tracker.state() == path_state::up);
                CHECK(pa.tracker.missed() == 0);
            }
    }
    CHECK(h2.eng->peers().at("h1").incarnation == h1.eng->incarnation());
    CHECK(h3.eng->peers().at("h1").incarnation == h1.eng->incarnation());
    CHECK(h1.eng->peers().at("h2").incarnation == h2.eng->incarnation());

    w.net().set_cut(h2.ports[0], true);
    const timestamp cut = w.now();
    auto failed_over = w.run_until(cut + ms(5000), [&] {
        return sim::world::routes(h1) == h1_routes && sim::world::routes(h2) == h2_routes &&
               sim::world::routes(h3) == h3_routes;
    });
    REQUIRE(failed_over);
    CHECK(*failed_over - cut <= ms(450));
}
