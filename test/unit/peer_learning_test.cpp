#include "faild/core/peer_learning.hpp"

#include <doctest/doctest.h>

using namespace faild;
namespace pl = faild::peer_learning;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

/// Two LANs: 10.0.1.0/24 and 10.0.2.0/24.
std::vector<lan> two_lans() {
    lan a, b;
    a.name = "a";
    a.addrs = {*prefix::parse("10.0.1.1/24")};
    b.name = "b";
    b.addrs = {*prefix::parse("10.0.2.1/24")};
    return {a, b};
}

wire::message inq(std::uint32_t incarnation, std::vector<ip_address> addrs, std::uint8_t flags = 0) {
    wire::message m;
    m.kind = wire::type::inq;
    m.node_id = "peer";
    m.incarnation = incarnation;
    m.interval_us = 100'000;
    m.addresses = std::move(addrs);
    m.flags = flags;
    return m;
}

path& add_path(peer& p, path_key k, timestamp now) {
    return p.paths.emplace(k, path(path_tracker(3, 3, now))).first->second;
}

void drive_down(path& pa, timestamp now) {
    for (int i = 0; i < 3; ++i) pa.tracker.miss(now, down_reason::missed);
    REQUIRE(pa.tracker.state() == path_state::down);
}

}  // namespace

TEST_CASE("peer_learning: a datagram tells the incarnation, interval, last seen and addresses") {
    peer p;
    p.node_id = "peer";
    auto l = pl::learn(p, inq(7, {ip("10.0.1.5")}), ms(100));
    CHECK_FALSE(l.restarted);  // the first incarnation we hear is no restart
    CHECK(l.addresses_changed);
    CHECK(p.incarnation == 7);
    CHECK(p.interval_us == 100'000);
    CHECK(p.last_seen == ms(100));
    l = pl::learn(p, inq(7, {ip("10.0.1.5")}), ms(200));
    CHECK_FALSE(l.restarted);
    CHECK_FALSE(l.addresses_changed);  // the same list: no change
    CHECK(p.last_seen == ms(200));
    // A restart: paths not up wait for fresh evidence; an up one keeps it.
    auto& init = add_path(p, {0, family::v4}, ms(200));
    init.fresh = true;
    auto& up = add_path(p, {1, family::v4}, ms(200));
    for (int i = 0; i < 3; ++i) up.tracker.good(ms(200));
    REQUIRE(up.tracker.state() == path_state::up);
    up.fresh = true;
    l = pl::learn(p, inq(8, {ip("10.0.1.5")}), ms(300));
    CHECK(l.restarted);
    CHECK(p.incarnation == 8);
    CHECK_FALSE(init.fresh);
    CHECK(up.fresh);
}

TEST_CASE("peer_learning: at most max_peer_addresses of a peer's addresses are kept") {
    peer p;
    std::vector<ip_address> many;
    for (int i = 0; i < int(pl::max_peer_addresses) + 3; ++i)
        many.push_back(*ip_address::parse("10.0.1." + std::to_string(10 + i)));
    pl::learn(p, inq(1, many), ms(0));
    REQUIRE(p.addresses.size() == pl::max_peer_addresses);
    CHECK(p.addresses.front() == ip("10.0.1.10"));
}

TEST_CASE("peer_learning: a peer that turns to mutual rounds awaits no ACK, and its INQs are due in 1.5 intervals") {
    peer p;
    auto& waiting = add_path(p, {0, family::v4}, ms(0));
    waiting.wait.round_sent(5, ms(0), std::nullopt);
    auto& retrying = add_path(p, {1, family::v4}, ms(0));
    retrying.wait.retry_sent(purposeful_probe{0x80000001u, ms(30), purposeful_probe::on_silence::confirm_miss}, ms(10));
    // Mutual rounds off on our side: it is a requestor, nothing more.
    CHECK_FALSE(pl::learn_rounds(p, inq(1, {}, wire::flag_mutual), false, ms(100), ms(20)));
    CHECK(p.requestor);
    CHECK(p.mutual);
    CHECK(waiting.wait.awaiting());
    // On: it turns mutual once.
    p.mutual = false;
    CHECK(pl::learn_rounds(p, inq(1, {}, wire::flag_mutual), true, ms(100), ms(20)));
    CHECK_FALSE(waiting.wait.awaiting());  // no ACK awaited
    CHECK(retrying.wait.retry());          // a retry stays, for its own timeout
    CHECK(waiting.expect.due() == ms(170));
    CHECK(retrying.expect.due() == ms(170));
    CHECK_FALSE(pl::learn_rounds(p, inq(1, {}, wire::flag_mutual), true, ms(100), ms(120)));  // already
    CHECK(waiting.expect.due() == ms(170));
    CHECK_FALSE(pl::learn_rounds(p, inq(1, {}), true, ms(100), ms(130)));  // back to ACKs
    CHECK_FALSE(p.mutual);
}

TEST_CASE("peer_learning: the addresses a peer claims decide its paths, made and forgotten") {
    const auto lans = two_lans();
    peer p;
    pl::learn(p, inq(1, {ip("10.0.1.5"), ip("10.0.2.5"), ip("192.0.2.1"), ip("10.0.2.6")}), ms(0));
    const auto claimed = pl::claimed_paths(p, lans);
    REQUIRE(claimed.size() == 3);  // 192.0.2.1 is in none of our prefixes
    CHECK(claimed[0] == path_key{0, family::v4});
    CHECK(claimed[1] == path_key{1, family::v4});
    CHECK(claimed[2] == path_key{1, family::v4});
    auto& a = add_path(p, {0, family::v4}, ms(0));
    auto& b = add_path(p, {1, family::v4}, ms(0));
    drive_down(a, ms(10));
    drive_down(b, ms(10));
    CHECK(pl::unclaimed_paths(p, lans, {0, family::v6}).empty());  // both still claimed
    // It leaves LAN b: the down path there goes, not the one it speaks on.
    pl::learn(p, inq(1, {ip("10.0.1.5")}), ms(20));
    CHECK(pl::claims(p, {0, family::v4}, lans));
    CHECK_FALSE(pl::claims(p, {1, family::v4}, lans));
    CHECK_FALSE(pl::claims(p, {5, family::v4}, lans));  // no such LAN
    const auto gone = pl::unclaimed_paths(p, lans, {0, family::v6});
    REQUIRE(gone.size() == 1);
    CHECK(gone[0] == path_key{1, family::v4});
    CHECK(pl::unclaimed_paths(p, lans, {1, family::v4}).empty());  // heard there now: kept
    // A path that is not down is kept whatever the list says.
    pl::learn(p, inq(1, {}), ms(30));
    auto& c = p.paths.at({1, family::v4});
    c.tracker = path_tracker(3, 3, ms(30));
    CHECK(pl::unclaimed_paths(p, lans, {1, family::v6}) == std::vector<path_key>{{0, family::v4}});
}
