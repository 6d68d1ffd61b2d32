#include "faild/core/route_plan.hpp"

#include <doctest/doctest.h>

using namespace faild;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

std::vector<lan> three_lans() {
    return {
        {"eth0", 10, {*prefix::parse("192.0.2.1/24")}, {}},
        {"eth1", 11, {*prefix::parse("198.51.100.1/24")}, {}},
        {"eth2", 12, {*prefix::parse("203.0.113.1/24")}, {}},
    };
}

/// A path whose tracker is driven into `st` with f = s = 1.
path make_path(path_state st, const char* hop) {
    path p(path_tracker(1, 1, ms(0)));
    if (st == path_state::up) p.tracker.good(ms(1));
    if (st == path_state::down) p.tracker.miss(ms(1));
    if (hop) p.hop = ip(hop);
    return p;
}

peer make_peer(const char* id, std::vector<const char*> addrs) {
    peer p;
    p.node_id = id;
    for (auto a : addrs) p.addresses.push_back(ip(a));
    return p;
}

/// Every peer has proven every address it advertises and its next hops
/// (in node id order: the first to prove an address keeps it), so the
/// route plan's other guards alone decide.
address_book proven_all(const std::vector<lan>& lans, const peer_map& peers) {
    address_book b;
    auto held = [](const std::string&) { return true; };
    for (const auto& [id, p] : peers) {
        for (const auto& [k, pa] : p.paths)
            if (pa.hop && k.lan < lans.size()) b.record(id, *pa.hop, lans[k.lan].name, ms(0), held);
        for (const auto& a : p.addresses) b.record(id, a, lans.front().name, ms(0), held);
    }
    return b;
}

/// The plan without keys, everything proven.
route_set plan(const std::vector<lan>& lans, const peer_map& peers) {
    return plan_routes(lans, peers, proven_all(lans, peers), false);
}

std::string render(const route_set& rs) {
    std::string out;
    for (const auto& [dst, r] : rs) out += r.to_string() + "\n";
    return out;
}

}  // namespace

TEST_CASE("route_plan: a dead LAN is routed via the live one, src on the dead LAN") {
    auto lans = three_lans();
    lans.pop_back();
    peer_map peers;
    auto p = make_peer("h2", {"192.0.2.2", "198.51.100.2"});
    p.paths.emplace(path_key{0, family::v4}, make_path(path_state::down, "192.0.2.2"));
    p.paths.emplace(path_key{1, family::v4}, make_path(path_state::up, "198.51.100.2"));
    peers.emplace("h2", p);
    auto rs = plan(lans, peers);
    CHECK(render(rs) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
    CHECK(rs.begin()->second.ifindex == 11);
    CHECK(rs.begin()->second.peer == "h2");
}

TEST_CASE("route_plan: no route without a dead path or without a live one") {
    auto lans = three_lans();
    for (auto [a, b] : {std::pair{path_state::up, path_state::up}, {path_state::down, path_state::down},
                        {path_state::down, path_state::init}, {path_state::init, path_state::up}}) {
        peer_map peers;
        auto p = make_peer("h2", {"192.0.2.2", "198.51.100.2"});
        p.paths.emplace(path_key{0, family::v4}, make_path(a, "192.0.2.2"));
        p.paths.emplace(path_key{1, family::v4}, make_path(b, "198.51.100.2"));
        peers.emplace("h2", p);
        CAPTURE(to_string(a));
        CAPTURE(to_string(b));
        CHECK(plan(lans, peers).empty());
    }
}

TEST_CASE("route_plan: the most preferred live LAN carries the routes") {
    auto lans = three_lans();
    auto p = make_peer("h2", {"192.0.2.2", "198.51.100.2", "203.0.113.2"});
    p.paths.emplace(path_key{0, family::v4}, make_path(path_state::down, "192.0.2.2"));
    p.paths.emplace(path_key{1, family::v4}, make_path(path_state::up, "198.51.100.2"));
    p.paths.emplace(path_key{2, family::v4}, make_path(path_state::up, "203.0.113.2"));
    peer_map peers{{"h2", p}};
    CHECK(render(plan(lans, peers)) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");

    peers["h2"].paths.at({1, family::v4}) = make_path(path_state::down, "198.51.100.2");  // B dies too: both via C
    CHECK(render(plan(lans, peers)) ==
          "192.0.2.2/32 via 203.0.113.2 dev eth2 src 192.0.2.1\n"
          "198.51.100.2/32 via 203.0.113.2 dev eth2 src 198.51.100.1\n");
}

TEST_CASE("route_plan: guards hold whatever a peer claims") {
    auto lans = three_lans();
    lans.pop_back();
    // Claims: a foreign prefix, link-local, our own address, loopback, multicast,
    // an address on the live LAN, IPv6 without an IPv6 next hop.
    auto p = make_peer("evil", {"192.0.2.2", "192.0.2.77", "8.8.8.8", "169.254.0.1", "192.0.2.1", "127.0.0.1",
                                "224.0.0.5", "198.51.100.9", "2001:db8::5", "10.0.0.1"});
    p.paths.emplace(path_key{0, family::v4}, make_path(path_state::down, "192.0.2.2"));
    p.paths.emplace(path_key{1, family::v4}, make_path(path_state::up, "198.51.100.2"));
    peer_map peers{{"evil", p}};
    CHECK(render(plan(lans, peers)) ==
          "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n"
          "192.0.2.77/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");

    // A next hop that is not on-link of the live LAN is no next hop.
    peers["evil"].paths.at({1, family::v4}).hop = ip("203.0.113.2");
    CHECK(plan(lans, peers).empty());
    // Nor is our own address.
    peers["evil"].paths.at({1, family::v4}).hop = ip("198.51.100.1");
    CHECK(plan(lans, peers).empty());
}

TEST_CASE("route_plan: two peers claiming one address: the first by node id keeps it") {
    auto lans = three_lans();
    lans.pop_back();
    peer_map peers;
    for (auto [id, hop] : {std::pair{"b", "198.51.100.3"}, {"a", "198.51.100.2"}}) {
        auto p = make_peer(id, {"192.0.2.2"});
        p.paths.emplace(path_key{0, family::v4}, make_path(path_state::down, nullptr));
        p.paths.emplace(path_key{1, family::v4}, make_path(path_state::up, hop));
        peers.emplace(id, p);
    }
    CHECK(render(plan(lans, peers)) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n");
}

TEST_CASE("route_plan: several peers, one dead LAN each way") {
    auto lans = three_lans();
    lans.pop_back();
    peer_map peers;
    auto h2 = make_peer("h2", {"192.0.2.2", "198.51.100.2"});
    h2.paths.emplace(path_key{0, family::v4}, make_path(path_state::down, "192.0.2.2"));
    h2.paths.emplace(path_key{1, family::v4}, make_path(path_state::up, "198.51.100.2"));
    auto h3 = make_peer("h3", {"192.0.2.3", "198.51.100.3"});
    h3.paths.emplace(path_key{0, family::v4}, make_path(path_state::up, "192.0.2.3"));
    h3.paths.emplace(path_key{1, family::v4}, make_path(path_state::down, "198.51.100.3"));
    peers.emplace("h2", h2);
    peers.emplace("h3", h3);
    CHECK(render(plan(lans, peers)) ==
          "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n"
          "198.51.100.3/32 via 192.0.2.3 dev eth0 src 198.51.100.1\n");
}

namespace {

std::vector<lan> dual_lans() {
    std::vector<lan> l = {
        {"eth0", 10, {*prefix::parse("192.0.2.1/24"), *prefix::parse("2001:db8:a::1/64")}, ip("fe80::a:1")},
        {"eth1", 11, {*prefix::parse("198.51.100.1/24"), *prefix::parse("2001:db8:b::1/64")}, ip("fe80::b:1")},
    };
    return l;
}

path v6_path(path_state st, const char* hop) {
    path p = make_path(st, nullptr);
    if (hop) p.hop = ip(hop);
    return p;
}

peer dual_peer() {
    return make_peer("h2", {"192.0.2.2", "198.51.100.2", "2001:db8:a::2", "2001:db8:b::2", "fe80::a:2"});
}

}  // namespace

TEST_CASE("route_plan: IPv6: a /128 via the peer's link-local on the live LAN, src our global on the dead LAN") {
    auto p = make_peer("h2", {"2001:db8:a::2", "2001:db8:b::2"});
    p.paths.emplace(path_key{0, family::v6}, v6_path(path_state::down, "fe80::a:2"));
    p.paths.emplace(path_key{1, family::v6}, v6_path(path_state::up, "fe80::b:2"));
    peer_map peers{{"h2", p}};
    auto rs = plan(dual_lans(), peers);
    CHECK(render(rs) == "2001:db8:a::2/128 via fe80::b:2 dev eth1 src 2001:db8:a::1\n");
}

TEST_CASE("route_plan: dual-stack: each family follows its own paths, nothing else is routed") {
    peer_map peers{{"h2", dual_peer()}};
    auto& paths = peers["h2"].paths;
    paths.emplace(path_key{0, family::v4}, make_path(path_state::down, "192.0.2.2"));
    paths.emplace(path_key{1, family::v4}, make_path(path_state::up, "198.51.100.2"));
    paths.emplace(path_key{0, family::v6}, v6_path(path_state::down, "fe80::a:2"));
    paths.emplace(path_key{1, family::v6}, v6_path(path_state::up, "fe80::b:2"));
    CHECK(render(plan(dual_lans(), peers)) ==
          "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n"
          "2001:db8:a::2/128 via fe80::b:2 dev eth1 src 2001:db8:a::1\n");

    // Only IPv6 is down on LAN A: only the IPv6 address moves.
    paths.at({0, family::v4}) = make_path(path_state::up, "192.0.2.2");
    CHECK(render(plan(dual_lans(), peers)) == "2001:db8:a::2/128 via fe80::b:2 dev eth1 src 2001:db8:a::1\n");

    // IPv6 has no live path (LAN B's IPv6 is down too), IPv4 is up on B: no
    // IPv6 route via an IPv4 next hop, ever.
    paths.at({1, family::v6}) = v6_path(path_state::down, "fe80::b:2");
    CHECK(plan(dual_lans(), peers).empty());
}

TEST_CASE("route_plan: IPv6 guards: link-local never a destination, next hop on-link") {
    auto p = make_peer("h2", {"fe80::a:2", "2001:db8:a::2", "2001:db8:ffff::9", "::1", "ff02::1", "::ffff:192.0.2.9"});
    p.paths.emplace(path_key{0, family::v6}, v6_path(path_state::down, "fe80::a:2"));
    p.paths.emplace(path_key{1, family::v6}, v6_path(path_state::up, "2001:db8:ffff::3"));  // not on-link of eth1
    peer_map peers{{"h2", p}};
    CHECK(plan(dual_lans(), peers).empty());
    peers["h2"].paths.at({1, family::v6}).hop = ip("2001:db8:b::2");  // a global next hop on-link: fine
    CHECK(render(plan(dual_lans(), peers)) == "2001:db8:a::2/128 via 2001:db8:b::2 dev eth1 src 2001:db8:a::1\n");
    peers["h2"].paths.at({1, family::v6}).hop = ip("fe80::b:1");  // our own link-local: no
    CHECK(plan(dual_lans(), peers).empty());
}

// ---- trust (PROTOCOL.md "Trust") -------------------------------------------

namespace {

/// h2 down on LAN A, up on LAN B, advertising its two addresses.
peer_map h2_down_on_a() {
    auto p = make_peer("h2", {"192.0.2.2", "198.51.100.2"});
    p.paths.emplace(path_key{0, family::v4}, make_path(path_state::down, "192.0.2.2"));
    p.paths.emplace(path_key{1, family::v4}, make_path(path_state::up, "198.51.100.2"));
    return {{"h2", p}};
}

const auto held = [](const std::string&) { return true; };

}  // namespace

TEST_CASE("route_plan: trust: only proven destinations, only via a proven next hop") {
    auto lans = three_lans();
    lans.pop_back();
    auto peers = h2_down_on_a();
    const char* route = "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n";
    address_book b;
    CHECK(plan_routes(lans, peers, b, false).empty());  // nothing proven
    b.record("h2", ip("198.51.100.2"), "eth1", ms(0), held);
    CHECK(plan_routes(lans, peers, b, false).empty());  // the next hop, not the destination
    CHECK(render(plan_routes(lans, peers, b, true)) == route);  // with keys: an authenticated claim
    b.record("h2", ip("192.0.2.2"), "eth0", ms(0), held);
    CHECK(render(plan_routes(lans, peers, b, false)) == route);
    // The destination proven, the next hop not (it moved to an unproven
    // source): nothing, keys or not.
    peers["h2"].paths.at({1, family::v4}).hop = ip("198.51.100.66");
    CHECK(plan_routes(lans, peers, b, false).empty());
    CHECK(plan_routes(lans, peers, b, true).empty());
}

TEST_CASE("route_plan: trust: another node's proof wins over a claim, keys or not") {
    auto lans = three_lans();
    lans.pop_back();
    auto peers = h2_down_on_a();
    address_book b;
    b.record("h2", ip("198.51.100.2"), "eth1", ms(0), held);
    b.record("h3", ip("192.0.2.2"), "eth0", ms(0), held);  // h3 proved it (the address moved)
    CHECK(plan_routes(lans, peers, b, false).empty());
    CHECK(plan_routes(lans, peers, b, true).empty());
    b.forget("h3");  // forgotten, its proof asleep: still another node's
    CHECK(plan_routes(lans, peers, b, true).empty());
}

TEST_CASE("route_plan: trust: a prefix's network, broadcast and anycast addresses are never destinations") {
    auto p = make_peer("h2", {"192.0.2.0", "192.0.2.255", "192.0.2.2", "2001:db8:a::", "2001:db8:a::2"});
    p.paths.emplace(path_key{0, family::v4}, make_path(path_state::down, "192.0.2.2"));
    p.paths.emplace(path_key{1, family::v4}, make_path(path_state::up, "198.51.100.2"));
    p.paths.emplace(path_key{0, family::v6}, v6_path(path_state::down, "fe80::a:2"));
    p.paths.emplace(path_key{1, family::v6}, v6_path(path_state::up, "fe80::b:2"));
    peer_map peers{{"h2", p}};
    // Proven, keyed: the guard alone keeps them out.
    CHECK(render(plan_routes(dual_lans(), peers, proven_all(dual_lans(), peers), true)) ==
          "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1\n"
          "2001:db8:a::2/128 via fe80::b:2 dev eth1 src 2001:db8:a::1\n");
    // A /31 (RFC 3021) has neither: both its addresses are hosts'.
    std::vector<lan> p2p = {{"eth0", 10, {*prefix::parse("192.0.2.0/31")}, {}},
                            {"eth1", 11, {*prefix::parse("198.51.100.1/24")}, {}}};
    auto q = make_peer("h2", {"192.0.2.1", "198.51.100.2"});
    q.paths.emplace(path_key{0, family::v4}, make_path(path_state::down, "192.0.2.1"));
    q.paths.emplace(path_key{1, family::v4}, make_path(path_state::up, "198.51.100.2"));
    peer_map pp{{"h2", q}};
    CHECK(render(plan_routes(p2p, pp, proven_all(p2p, pp), false)) ==
          "192.0.2.1/32 via 198.51.100.2 dev eth1 src 192.0.2.0\n");
}

TEST_CASE("route_plan: a dead LAN whose interface is gone: its prefixes as last seen, src from the live LAN") {
    auto lans = three_lans();
    lans.pop_back();
    lans[0].remember(lan{});
    lan gone{"eth0", 10, {}, {}};
    gone.carrier = false;
    gone.remember(lans[0]);
    lans[0] = gone;
    auto peers = h2_down_on_a();
    CHECK(render(plan(lans, peers)) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 198.51.100.1\n");
    // Never seen: nothing to route there.
    lans[0].seen.clear();
    CHECK(plan(lans, peers).empty());
}
