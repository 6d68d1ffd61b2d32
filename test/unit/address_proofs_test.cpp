#include "faild/core/address_proofs.hpp"

#include <doctest/doctest.h>

using namespace faild;
namespace ap = faild::address_proofs;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

lan lan_a() {
    lan l;
    l.name = "a";
    l.addrs = {*prefix::parse("10.0.1.1/24")};
    return l;
}

path& add_path(peer& p, path_key k) { return p.paths.emplace(k, path(path_tracker(1, 1, ms(0)))).first->second; }

void bring_up(path& pa) {
    pa.tracker.good(ms(0));
    REQUIRE(pa.tracker.state() == path_state::up);
}

const auto any_holds = [](const std::string&) { return false; };

}  // namespace

TEST_CASE("address_proofs: one proof probe per peer and target on its way, matched by sequence number and LAN") {
    ap::in_flight f;
    f.add(0x80000001u, {"p", 0, ip("10.0.1.5"), ms(100)});
    f.add(0x80000002u, {"q", 0, ip("10.0.1.6"), ms(100)});
    CHECK(f.on_its_way("p", ip("10.0.1.5"), ms(99)));
    CHECK_FALSE(f.on_its_way("p", ip("10.0.1.5"), ms(100)));  // expired: another may go
    CHECK_FALSE(f.on_its_way("q", ip("10.0.1.5"), ms(50)));   // another peer's
    CHECK_FALSE(f.take(0x80000001u, 1));                       // an answer on another LAN
    CHECK(f.size() == 2);
    auto pr = f.take(0x80000001u, 0);
    REQUIRE(pr);
    CHECK(pr->peer == "p");
    CHECK(pr->target == ip("10.0.1.5"));
    CHECK_FALSE(f.take(0x80000001u, 0));  // taken once
    f.add(0x80000003u, {"q", 0, ip("10.0.1.7"), ms(300)});
    f.expire(ms(1099), ms(1000));  // the first of q's is given up a second after its expiry
    CHECK(f.size() == 2);
    f.expire(ms(1100), ms(1000));
    CHECK(f.size() == 1);
    f.forget_peer("q");
    CHECK(f.size() == 0);
}

TEST_CASE("address_proofs: a node holds an address it advertises or reaches a live path by") {
    peer q;
    q.node_id = "q";
    q.addresses = {ip("10.0.1.6")};
    CHECK(ap::holds(q, ip("10.0.1.6")));
    auto& pa = add_path(q, {0, family::v4});
    pa.hop = ip("10.0.1.7");
    CHECK_FALSE(ap::holds(q, ip("10.0.1.7")));  // the path is not up
    bring_up(pa);
    CHECK(ap::holds(q, ip("10.0.1.7")));
}

TEST_CASE("address_proofs: an address proven by another node is held while that node holds it, or while protected") {
    address_book book;
    peer_map peers;
    peer& p = peers["p"];
    p.node_id = "p";
    peer& q = peers["q"];
    q.node_id = "q";
    q.addresses = {ip("10.0.1.6")};
    REQUIRE(book.record("q", ip("10.0.1.6"), "a", ms(0), any_holds) == address_book::outcome::recorded);
    CHECK(ap::held_by_other(book, peers, p, ip("10.0.1.6"), "a", ms(10)));
    CHECK_FALSE(ap::held_by_other(book, peers, q, ip("10.0.1.6"), "a", ms(10)));  // its own
    CHECK_FALSE(ap::held_by_other(book, peers, p, ip("10.0.1.9"), "a", ms(10)));  // nobody's
    q.addresses.clear();
    CHECK_FALSE(ap::held_by_other(book, peers, p, ip("10.0.1.6"), "a", ms(10)));  // q let it go
    // Dormant (q forgotten): held only while protected (loaded at start).
    book.forget("q");
    CHECK_FALSE(ap::held_by_other(book, peers, p, ip("10.0.1.6"), "a", ms(10)));
}

TEST_CASE("address_proofs: a path asks proof of its unproven next hop, its candidate, then the peer's addresses") {
    const lan l = lan_a();
    address_book book;
    peer p;
    p.node_id = "p";
    p.addresses = {ip("10.0.1.5"), ip("10.0.1.0"), ip("10.0.1.1"), ip("10.0.2.5"), ip("fd00::5"), ip("10.0.1.8")};
    auto& pa = add_path(p, {0, family::v4});
    pa.hop = ip("10.0.1.5");
    const auto all = [](const ip_address&) { return true; };
    // Not up, next hop unproven: the next hop, then the candidate.
    pa.hop_candidate = ip("10.0.1.9");
    CHECK(ap::targets(p, pa, l, family::v4, false, false, all) == std::vector<ip_address>{ip("10.0.1.5"), ip("10.0.1.9")});
    // Proven and not up: without keys nothing for the next hop; with keys
    // until a fresh answer came.
    CHECK(ap::targets(p, pa, l, family::v4, false, true, all) == std::vector<ip_address>{ip("10.0.1.9")});
    CHECK(ap::targets(p, pa, l, family::v4, true, true, all) == std::vector<ip_address>{ip("10.0.1.5"), ip("10.0.1.9")});
    pa.fresh = true;
    CHECK(ap::targets(p, pa, l, family::v4, true, true, all) == std::vector<ip_address>{ip("10.0.1.9")});
    // Up with a proven next hop: its advertised addresses on this LAN, not
    // the network address, not ours, not another LAN's or family's, and
    // only those `wanted`.
    bring_up(pa);
    CHECK(ap::targets(p, pa, l, family::v4, false, true, all) == std::vector<ip_address>{ip("10.0.1.5"), ip("10.0.1.8")});
    const auto not_8 = [](const ip_address& a) { return a != ip("10.0.1.8"); };
    CHECK(ap::targets(p, pa, l, family::v4, false, true, not_8) == std::vector<ip_address>{ip("10.0.1.5")});
    CHECK(ap::targets(p, pa, l, family::v4, false, false, all) == std::vector<ip_address>{ip("10.0.1.5")});  // hop first
}

TEST_CASE("address_proofs: a datagram's source moves the next hop only while it is unproven, or for a proven one") {
    path pa(path_tracker(1, 1, ms(0)));
    CHECK(ap::note_source(pa, ip("10.0.1.5"), false, false));  // the first source
    CHECK(pa.hop == ip("10.0.1.5"));
    CHECK_FALSE(ap::note_source(pa, ip("10.0.1.5"), false, false));  // the same
    CHECK(ap::note_source(pa, ip("10.0.1.6"), false, false));        // unproven: the latest
    CHECK(pa.hop == ip("10.0.1.6"));
    // Proven, not up: another unproven source waits as the candidate;
    // a proven one takes over.
    CHECK_FALSE(ap::note_source(pa, ip("10.0.1.7"), true, false));
    CHECK(pa.hop == ip("10.0.1.6"));
    CHECK(pa.hop_candidate == ip("10.0.1.7"));
    CHECK(ap::note_source(pa, ip("10.0.1.8"), true, true));
    CHECK(pa.hop == ip("10.0.1.8"));
    CHECK_FALSE(pa.hop_candidate);
    // Up: a proven next hop stays, whatever the source.
    bring_up(pa);
    CHECK_FALSE(ap::note_source(pa, ip("10.0.1.9"), true, true));
    CHECK(pa.hop == ip("10.0.1.8"));
    CHECK_FALSE(pa.hop_candidate);
    // IPv6: a global source changes no next hop.
    path v6(path_tracker(1, 1, ms(0)));
    v6.hop = ip("fe80::5");
    CHECK_FALSE(ap::note_source(v6, ip("fd00::5"), false, false));
    CHECK(v6.hop == ip("fe80::5"));
    CHECK(ap::note_source(v6, ip("fe80::6"), false, false));
}

TEST_CASE("address_proofs: an answered proof probe makes the candidate the next hop, not while up") {
    path pa(path_tracker(1, 1, ms(0)));
    pa.hop = ip("10.0.1.5");
    pa.hop_candidate = ip("10.0.1.7");
    CHECK_FALSE(ap::adopt_hop(pa, ip("10.0.1.6")));  // not the candidate
    CHECK(ap::adopt_hop(pa, ip("10.0.1.7")));
    CHECK(pa.hop == ip("10.0.1.7"));
    CHECK_FALSE(pa.hop_candidate);
    pa.hop_candidate = ip("10.0.1.9");
    pa.tracker.good(ms(0));
    CHECK_FALSE(ap::adopt_hop(pa, ip("10.0.1.9")));
    CHECK(pa.hop == ip("10.0.1.7"));
}
