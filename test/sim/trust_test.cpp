// Route trust (PROTOCOL.md, "Trust"): two faild engines on the fake network
// and an attacker on the LANs that sends whatever it likes, from any source
// address. No peer may move a route it has not proven; without keys an
// attacker may at worst cost probes (or keep a dead path looking alive),
// never take down a path the peer's own answers keep proving; with keys,
// nothing recorded or relayed moves a route.
#include "sim.hpp"

#include <doctest/doctest.h>

#include <functional>

using namespace faild;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

engine_config config(const char* id, const keyring* keys = nullptr) {
    engine_config c;
    c.node_id = id;
    c.incarnation = 100;
    c.requestor = true;
    c.interval = ms(100);
    c.fail_after = 3;
    c.up_after = 3;
    c.seq_seed = std::hash<std::string>{}(id);
    if (keys) c.keys = *keys;
    return c;
}

keyring test_keys() {
    keyring k;
    std::string err;
    REQUIRE(k.parse(std::string(64, 'c'), "test", err));
    return k;
}

/// A datagram of the attacker's making (version 2, no MAC).
std::vector<std::uint8_t> craft(wire::type kind, const std::string& id, std::uint32_t incarnation,
                                std::uint32_t seq, std::vector<const char*> addrs = {},
                                std::vector<std::string> heard = {}, std::uint8_t flags = 0,
                                std::uint32_t interval_us = 100'000) {
    wire::message m;
    m.kind = kind;
    m.node_id = id;
    m.incarnation = incarnation;
    m.seq = seq;
    m.interval_us = interval_us;
    for (auto a : addrs) m.addresses.push_back(ip(a));
    m.heard = std::move(heard);
    m.flags = flags;
    return wire::encode(m);
}

std::optional<wire::message> read(const std::vector<std::uint8_t>& b) {
    auto d = wire::decode(b.data(), b.size());
    if (auto* m = std::get_if<wire::message>(&d)) return *m;
    return std::nullopt;
}

/// h1 and h2 with all four paths up, an attacker at .66 (LAN A only, or
/// both).
struct lab {
    explicit lab(const keyring* keys = nullptr, bool attacker_on_b = false, bool broadcast_inqs = false)
        : h1(w.add_host(1, tweak(config("h1", keys), broadcast_inqs))),
          h2(w.add_host(2, tweak(config("h2", keys), broadcast_inqs))),
          evil(w.add_attacker(66, !attacker_on_b)) {
        REQUIRE(w.run_until(ms(5000), [&] { return up(h1, "h2") && up(h2, "h1"); }));
    }
    sim::world w;
    sim::node& h1;
    sim::node& h2;
    sim::attacker& evil;

    /// Every round INQ broadcast: an attacker on the LAN records them all.
    static engine_config tweak(engine_config c, bool broadcast_inqs) {
        if (broadcast_inqs) c.unicast_inq = false;
        return c;
    }
    static bool up(sim::node& n, const char* peer) {
        auto it = n.eng->peers().find(peer);
        if (it == n.eng->peers().end() || it->second.paths.size() < 2) return false;
        for (const auto& [k, pa] : it->second.paths)
            if (pa.tracker.state() != path_state::up) return false;
        return true;
    }
    /// Runs `ms_` milliseconds a millisecond at a time; `each()` after every
    /// step (the attacker acts, the test checks).
    void step(long long ms_, const std::function<void()>& each) {
        for (long long i = 0; i < ms_; ++i) {
            w.run_until(w.now() + ms(1));
            each();
        }
    }
    /// h2's incarnation, as the attacker can read it off h2's broadcasts.
    std::uint32_t sniffed_incarnation() {
        for (const auto& h : evil.inbox)
            if (auto m = read(h.bytes); m && m->node_id == "h2") return m->incarnation;
        FAIL("the attacker heard nothing of h2's");
        return 0;
    }
    static std::size_t byes(const sim::node& n) {
        std::size_t k = 0;
        for (const auto& l : effects_of<fx::peer_left>(n.log)) k += l.reason == fx::peer_left::why::bye;
        return k;
    }
    /// The lines held back of one event's, as counted by `repeated` effects.
    static std::vector<unsigned long long> repeats(const sim::node& n, const char* event) {
        std::vector<unsigned long long> out;
        for (const auto& r : effects_of<fx::repeated>(n.log))
            if (r.event == event) out.push_back(r.count);
        return out;
    }
};

const char* h1_route_b = "198.51.100.2/32 via 192.0.2.2 dev eth0 src 198.51.100.1\n";

}  // namespace

TEST_CASE("trust: a new node id claiming another host's addresses gets no route, no fault anywhere") {
    bool on_b = false;
    SUBCASE("the attacker on LAN A only") {}
    SUBCASE("the attacker on both LANs") { on_b = true; }
    lab s(nullptr, on_b);
    // "evil" answers every INQ it hears on LAN A and says 198.51.100.2 (h2's
    // LAN B address) is its own, with LAN B's network and broadcast address.
    std::size_t seen = 0;
    std::string worst;
    s.step(3000, [&] {
        for (; seen < s.evil.inbox.size(); ++seen) {
            const auto& h = s.evil.inbox[seen];
            auto m = read(h.bytes);
            if (!m || m->kind != wire::type::inq) continue;
            s.w.inject(s.evil, h.lan, ip(h.lan == 0 ? "192.0.2.66" : "198.51.100.66"), h.from,
                       craft(wire::type::ack, "evil", 7, m->seq,
                             {"192.0.2.66", "198.51.100.66", "198.51.100.2", "198.51.100.0", "198.51.100.255"}));
        }
        if (worst.empty()) worst = sim::world::routes(s.h1);
    });
    CHECK(worst.empty());
    CHECK(sim::world::routes(s.h1).empty());
    CHECK(s.h1.eng->peers().count("evil") == 1);
    CHECK_FALSE(s.h1.eng->proofs().proven("evil", ip("198.51.100.2"), "eth1"));
    CHECK(s.h1.eng->proofs().proven("h2", ip("198.51.100.2"), "eth1"));
    // h2 proved the address first and still advertises it: evil's claim is
    // not even probed.
    CHECK_FALSE(s.h1.eng->proofs().proven("evil", ip("198.51.100.0"), "eth1"));
}

TEST_CASE("trust: h2's LAN B is down, and an impostor with h2's node id on LAN A never becomes the next hop") {
    lab s;
    s.w.net().set_cut(s.h2.ports[1], true);
    REQUIRE(s.w.run_until(s.w.now() + ms(3000), [&] { return sim::world::routes(s.h1) == h1_route_b; }));
    const std::uint32_t inc = s.sniffed_incarnation();
    // One forged INQ as h2, from the attacker's own address, that says the
    // attacker's address is h2's; then it answers everything as h2.
    s.w.inject(s.evil, 0, ip("192.0.2.66"), ip("192.0.2.255"),
               craft(wire::type::inq, "h2", inc, 1'000'000, {"192.0.2.66", "198.51.100.2"}, {"h1"}, wire::flag_mutual));
    std::size_t seen = s.evil.inbox.size();
    std::string bad;
    s.step(3000, [&] {
        for (; seen < s.evil.inbox.size(); ++seen) {
            auto m = read(s.evil.inbox[seen].bytes);
            if (!m || m->kind != wire::type::inq) continue;
            s.w.inject(s.evil, 0, ip("192.0.2.66"), s.evil.inbox[seen].from,
                       craft(wire::type::ack, "h2", inc, m->seq, {"192.0.2.66", "198.51.100.2"}));
        }
        if (sim::world::routes(s.h1) != h1_route_b && bad.empty()) bad = sim::world::routes(s.h1) + "(none)";
    });
    CHECK(bad.empty());
    CHECK(s.h1.eng->peers().at("h2").paths.at({0, family::v4}).hop == ip("192.0.2.2"));
}

TEST_CASE("trust: forged INQs (h2's incarnation, sequence far ahead, no heard list, a 1 ms interval) take nothing down") {
    lab s;
    const std::uint32_t inc = s.sniffed_incarnation();
    std::size_t downs = sim::world::downs(s.h1) + sim::world::downs(s.h2);
    std::string routes;
    long long n = 0;
    s.step(3000, [&] {
        if (++n % 20) return;  // 50 a second, alternately from h2's source and the attacker's
        for (std::uint32_t seq : {std::uint32_t(n * 1000), wire::max_round_seq - 1}) {
            for (std::uint8_t flags : {std::uint8_t(0), wire::flag_mutual}) {
                auto b = craft(wire::type::inq, "h2", inc, seq, {"192.0.2.2", "198.51.100.2"}, {}, flags, 1000);
                s.w.inject(s.evil, 0, n % 40 ? ip("192.0.2.2") : ip("192.0.2.66"), ip("192.0.2.1"), b);
            }
        }
        routes += sim::world::routes(s.h1) + sim::world::routes(s.h2);
    });
    CHECK(routes.empty());
    CHECK(sim::world::downs(s.h1) + sim::world::downs(s.h2) == downs);
    // h2's own INQs were never locked out: a real cut still fails over.
    s.w.net().set_cut(s.h2.ports[0], true);
    CHECK(s.w.run_until(s.w.now() + ms(1000), [&] {
        return sim::world::routes(s.h1) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n";
    }));
}

TEST_CASE("trust: a forged BYE costs a probe, and a clean stop ends within a few RTTs with no route change") {
    lab s;
    const std::uint32_t inc = s.sniffed_incarnation();
    s.w.net().set_cut(s.h2.ports[0], true);
    const char* h1_route_a = "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n";
    REQUIRE(s.w.run_until(s.w.now() + ms(3000), [&] { return sim::world::routes(s.h1) == h1_route_a; }));
    bool kept = true;
    long long n = 0;
    s.step(2000, [&] {
        if (n++ % 200 == 0) s.w.inject(s.evil, 0, ip("192.0.2.2"), ip("192.0.2.1"), craft(wire::type::bye, "h2", inc, 0));
        kept = kept && sim::world::routes(s.h1) == h1_route_a;
    });
    CHECK(kept);
    CHECK(lab::byes(s.h1) == 0);
    // Ten refuted: the first reported in full, the others counted.
    CHECK(effects_of<fx::bye_refuted>(s.h1.log).size() == 1);
    CHECK(lab::repeats(s.h1, "bye_refuted").empty());
    s.w.run_until(s.w.now() + ms(61'000));
    CHECK(effects_of<fx::bye_refuted>(s.h1.log).size() == 1);
    CHECK(lab::repeats(s.h1, "bye_refuted") == std::vector<unsigned long long>{9});

    // The cut repaired, h2 stops cleanly: h1 forgets it within a few RTTs
    // and never routes around it.
    s.w.net().set_cut(s.h2.ports[0], false);
    REQUIRE(s.w.run_until(s.w.now() + ms(3000), [&] { return sim::world::routes(s.h1).empty() && lab::up(s.h1, "h2"); }));
    const std::size_t added = sim::world::route_changes(s.h1, fx::route_changed::op::added);
    s.w.stop(s.h2);
    auto gone = s.w.run_until(s.w.now() + ms(100), [&] { return s.h1.eng->peers().count("h2") == 0; });
    REQUIRE(gone);
    CHECK(sim::world::route_changes(s.h1, fx::route_changed::op::added) == added);
    CHECK(lab::byes(s.h1) == 1);
}

TEST_CASE("trust: a flood of forged notices costs probes, never a failover") {
    lab s(nullptr, true);
    const std::uint32_t inc = s.sniffed_incarnation();
    std::string routes;
    s.step(3000, [&] {
        for (int i = 0; i < 2; ++i)  // 2,000 a second, on LAN B, naming h2's LAN A address
            s.w.inject(s.evil, 1, ip("198.51.100.2"), ip("198.51.100.1"),
                       craft(wire::type::notice, "h2", inc, 0, {"192.0.2.2"}));
        routes += sim::world::routes(s.h1);
    });
    CHECK(routes.empty());
    CHECK(lab::up(s.h1, "h2"));
    // At most one check an interval (and h2 answers each): the first of
    // each kind is reported, the rest counted a minute later.
    s.w.run_until(s.w.now() + ms(61'000));
    auto total = [&](auto kind, const char* event) {
        unsigned long long k = effects_of<decltype(kind)>(s.h1.log).size();
        for (auto r : lab::repeats(s.h1, event)) k += r;
        return k;
    };
    CHECK(total(fx::notice_received{}, "notice_received") <= 31);
    CHECK(total(fx::notice_received{}, "notice_received") >= 2);
    CHECK(total(fx::notice_refuted{}, "notice_refuted") >= 1);
}

TEST_CASE("trust: invented node ids cannot fill the peer table against a real host") {
    lab s(nullptr, true);
    // 255 ids from the attacker's own addresses, answering h1's INQs on both
    // LANs: only 8 new ones from each source get a place.
    std::size_t seen = 0;
    s.step(1000, [&] {
        for (; seen < s.evil.inbox.size(); ++seen) {
            const auto& h = s.evil.inbox[seen];
            auto m = read(h.bytes);
            if (!m || m->kind != wire::type::inq || m->node_id != "h1") continue;
            for (int i = 0; i < 255; ++i)
                s.w.inject(s.evil, h.lan, ip(h.lan == 0 ? "192.0.2.66" : "198.51.100.66"), h.from,
                           craft(wire::type::ack, "x" + std::to_string(i), 5, m->seq, {}));
        }
    });
    std::string ids;
    for (const auto& [id, p] : s.h1.eng->peers()) ids += id + " ";
    CAPTURE(ids);
    CHECK(s.h1.eng->peers().size() == 1 + 8 + 8);
    CHECK(s.h1.eng->drops().source_limit > 0);

    // From spoofed sources (one each), filling the table: a real host that
    // starts then still gets in, comes up on both LANs, and stays.
    for (int i = 0; i < 300; ++i) {
        const std::string src = "192.0.2." + std::to_string(100 + i % 150);
        s.w.inject(s.evil, 0, ip(src.c_str()), ip("192.0.2.1"),
                   craft(wire::type::inq, "y" + std::to_string(i), 5, 1, {}, {"h1"}, wire::flag_mutual));
    }
    s.w.run_until(s.w.now() + ms(5));
    REQUIRE(s.h1.eng->peers().size() == s.h1.eng->config().max_peers);
    auto& h3 = s.w.add_host(3, config("h3"));
    long long n = 0;
    bool h3_stayed = true;
    s.step(3000, [&] {
        if (++n % 10 == 0)  // and more of them, all the while
            for (int i = 0; i < 20; ++i) {
                const std::string src = "192.0.2." + std::to_string(100 + (n + i) % 150);
                s.w.inject(s.evil, 0, ip(src.c_str()), ip("192.0.2.1"),
                           craft(wire::type::inq, "z" + std::to_string(n) + "_" + std::to_string(i), 5, 1, {}, {"h1"},
                                 wire::flag_mutual));
            }
        if (n > 1000) h3_stayed = h3_stayed && lab::up(s.h1, "h3");
    });
    CHECK(h3_stayed);
    CHECK(lab::up(h3, "h1"));
    CHECK(lab::up(s.h1, "h2"));
    s.w.net().set_cut(h3.ports[0], true);
    CHECK(s.w.run_until(s.w.now() + ms(1000), [&] {
        return sim::world::routes(s.h1).find("192.0.2.3/32 via 198.51.100.3 dev eth1") != std::string::npos;
    }));
}

TEST_CASE("trust: with keys, h2's recorded datagrams replayed after its BYE bring nothing back") {
    const keyring keys = test_keys();
    lab s(&keys);
    s.w.run_until(s.w.now() + ms(5000));  // a recording of h2's broadcasts
    std::vector<std::vector<std::uint8_t>> recorded;
    for (const auto& h : s.evil.inbox) recorded.push_back(h.bytes);
    REQUIRE(recorded.size() > 5);
    s.w.stop(s.h2);
    REQUIRE(s.w.run_until(s.w.now() + ms(100), [&] { return s.h1.eng->peers().count("h2") == 0; }));
    std::string routes;
    std::size_t i = 0;
    s.step(2000, [&] {
        if (i < recorded.size() * 3) {
            const auto& b = recorded[i++ % recorded.size()];
            s.w.inject(s.evil, 0, ip("192.0.2.66"), ip("192.0.2.1"), b);
            s.w.inject(s.evil, 0, ip("192.0.2.66"), ip("192.0.2.255"), b);
        }
        routes += sim::world::routes(s.h1);
    });
    CHECK(routes.empty());
    CHECK(s.h1.eng->peers().count("h2") == 0);
    CHECK(s.h1.eng->drops().replay > 0);
}

TEST_CASE("trust: with keys, h2's datagrams relayed onto another LAN do not verify") {
    const keyring keys = test_keys();
    lab s(&keys, true);
    s.w.net().set_cut(s.h2.ports[1], true);
    REQUIRE(s.w.run_until(s.w.now() + ms(3000), [&] { return sim::world::routes(s.h1) == h1_route_b; }));
    const auto bad_mac = s.h1.eng->drops().wire[std::size_t(wire::error::bad_mac)];
    std::size_t seen = s.evil.inbox.size();
    bool kept = true;
    s.step(2000, [&] {
        for (; seen < s.evil.inbox.size(); ++seen) {  // what h2 says on LAN A, again on LAN B as if from h2 there
            const auto& h = s.evil.inbox[seen];
            if (h.lan == 0 && h.from == ip("192.0.2.2"))
                s.w.inject(s.evil, 1, ip("198.51.100.2"), ip("198.51.100.1"), h.bytes);
        }
        kept = kept && sim::world::routes(s.h1) == h1_route_b;
    });
    CHECK(kept);
    CHECK(s.h1.eng->drops().wire[std::size_t(wire::error::bad_mac)] > bad_mac);
}

TEST_CASE("trust: with keys, h1 restarted during an outage: a replay of h2's recording cannot bring LAN A back") {
    const keyring keys = test_keys();
    lab s(&keys, false, true);
    s.w.run_until(s.w.now() + ms(10'000));
    std::vector<std::vector<std::uint8_t>> recorded;  // h2's INQs on LAN A, while all was well
    for (const auto& h : s.evil.inbox)
        if (h.from == ip("192.0.2.2")) recorded.push_back(h.bytes);
    REQUIRE(recorded.size() > 30);
    s.w.net().set_cut(s.h2.ports[0], true);
    const char* route_a = "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n";
    REQUIRE(s.w.run_until(s.w.now() + ms(3000), [&] { return sim::world::routes(s.h1) == route_a; }));
    // h1 restarts: a new engine, a new incarnation, the proofs of the one
    // before (the state file).
    const std::string state = s.h1.eng->proofs().to_text();
    s.w.stop(s.h1);
    auto c = config("h1", &keys);
    c.incarnation = 101;
    c.seq_seed = 77;
    std::size_t skipped = 0;
    c.proofs.from_text(state, s.w.now() + ms(60'000), skipped);
    auto& again = s.w.add_host(1, c);
    // Played back in order, at the pace they came (each new to the restarted
    // h1: its marks went with the restart), as INQs to h1.
    std::size_t i = 0;
    long long n = 0;
    bool settled = false, kept = true;
    s.step(3000, [&] {
        if (n++ % 100 == 0 && i < recorded.size())
            s.w.inject(s.evil, 0, ip("192.0.2.2"), ip("192.0.2.1"), recorded[i++]);
        if (sim::world::routes(again) == route_a) settled = true;
        else if (settled) kept = false;
    });
    CHECK(settled);
    CHECK(kept);
    CHECK(again.eng->peers().at("h2").paths.at({0, family::v4}).tracker.state() != path_state::up);
}

TEST_CASE("trust: with keys, a relay from the attacker's own address never makes it h2's next hop") {
    // The attacker sits between the two on LAN A: whatever h2 broadcasts it
    // sends on to h1 from its own address, and whatever h1 sends to it (the
    // probes that would prove the attacker's address to be h2's) it hands to
    // h2, from its own address again, and h2's answers back to h1. h1 has
    // just restarted (its paths not up yet), then h2's LAN B dies.
    const keyring keys = test_keys();
    lab s(&keys, false, true);
    s.w.stop(s.h1);
    auto c = config("h1", &keys);
    c.incarnation = 101;
    auto& h1 = s.w.add_host(1, c);
    std::size_t seen = s.evil.inbox.size();
    bool via_evil = false;
    auto relay = [&] {
        for (; seen < s.evil.inbox.size(); ++seen) {
            const auto h = s.evil.inbox[seen];
            if (h.from == ip("192.0.2.2")) s.w.inject(s.evil, 0, ip("192.0.2.66"), ip("192.0.2.1"), h.bytes);
            if (h.from == ip("192.0.2.1")) s.w.inject(s.evil, 0, ip("192.0.2.66"), ip("192.0.2.2"), h.bytes);
        }
        for (const auto& [dst, r] : h1.eng->desired_routes()) via_evil = via_evil || r.via == ip("192.0.2.66");
    };
    s.step(2000, relay);
    REQUIRE(lab::up(h1, "h2"));
    CHECK_FALSE(h1.eng->proofs().proven("h2", ip("192.0.2.66"), "eth0"));
    s.w.net().set_cut(s.h2.ports[1], true);
    bool routed = false;
    s.step(2000, [&] {
        relay();
        routed = routed || sim::world::routes(h1) == h1_route_b;
    });
    CHECK(routed);
    CHECK_FALSE(via_evil);
    CHECK_FALSE(h1.eng->proofs().proven("h2", ip("192.0.2.66"), "eth0"));
}
