#include "faild/core/admission.hpp"

#include <doctest/doctest.h>

using namespace faild;
using admission::reason;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

lan lan_a() {
    lan l{"eth0", 10, {*prefix::parse("192.0.2.1/24")}, {}};
    l.remember(lan{});
    return l;
}

wire::message inq(const char* id, std::uint32_t inc = 5, std::uint32_t seq = 1) {
    wire::message m;
    m.kind = wire::type::inq;
    m.node_id = id;
    m.incarnation = inc;
    m.seq = seq;
    m.interval_us = 100'000;
    return m;
}

/// Runs check_datagram on `m` (encoded with `keys`) from `from`.
std::variant<wire::message, admission::drop> check(const wire::message& m, const char* from = "192.0.2.2", int ttl = 255,
                                                   const keyring& keys = keyring{}, bool v1 = false) {
    static const std::string self = "h1";
    static const sequence_space seq(7, std::nullopt, wire::max_round_seq, 2);
    const wire::lan_binding b{family::v4, *prefix::parse("192.0.2.0/24")};
    const auto bytes = wire::encode(m, keys, b);
    const admission::settings s{self, keys, v1, seq};
    return admission::check_datagram(lan_a(), ip(from), bytes.data(), bytes.size(), ttl, s);
}

std::optional<reason> dropped(const std::variant<wire::message, admission::drop>& r) {
    if (auto* d = std::get_if<admission::drop>(&r)) return d->why;
    return std::nullopt;
}

}  // namespace

TEST_CASE("admission: a well-formed datagram from an on-link peer gets in") {
    auto r = check(inq("h2"));
    REQUIRE(std::holds_alternative<wire::message>(r));
    CHECK(std::get<wire::message>(r).node_id == "h2");
    CHECK_FALSE(dropped(check(inq("h2"), "192.0.2.2", -1)));  // TTL unknown
}

TEST_CASE("admission: the datagram checks, in order, each with its reason") {
    CHECK(dropped(check(inq("h2"), "192.0.2.2", 254)) == reason::low_ttl);
    // low TTL is checked before anything is decoded
    const std::uint8_t junk[3] = {1, 2, 3};
    const sequence_space seq(7, std::nullopt, wire::max_round_seq, 2);
    const std::string self = "h1";
    const keyring none;
    const admission::settings s{self, none, false, seq};
    auto bad = admission::check_datagram(lan_a(), ip("192.0.2.2"), junk, sizeof junk, 254, s);
    CHECK(dropped(bad) == reason::low_ttl);
    bad = admission::check_datagram(lan_a(), ip("192.0.2.2"), junk, sizeof junk, 255, s);
    REQUIRE(dropped(bad) == reason::wire);
    CHECK(std::get<admission::drop>(bad).err == wire::error::too_short);
    CHECK(std::string(admission::to_string(std::get<admission::drop>(bad))) == "too_short");
    // Our own node id: our incarnation is our own broadcast, another a collision.
    CHECK(dropped(check(inq("h1", 7))) == reason::own);
    CHECK(dropped(check(inq("h1", 8))) == reason::id_collision);
    CHECK(dropped(check(inq("h2"), "198.51.100.2")) == reason::off_link);
    CHECK(dropped(check(inq("h2"), "192.0.2.255")) == reason::off_link);  // broadcast address
    auto probe = inq("h2");
    probe.flags |= wire::flag_probe_only;
    probe.target = ip("192.0.2.77");  // not ours: relayed
    CHECK(dropped(check(probe)) == reason::wrong_target);
    probe.target = ip("192.0.2.1");
    CHECK_FALSE(dropped(check(probe)));
}

TEST_CASE("admission: with keys, version 1 only when allowed, and a signed datagram needs a key") {
    keyring keys;
    std::string err;
    REQUIRE(keys.parse(std::string(64, 'a'), "test", err));
    auto m = inq("h2");
    CHECK_FALSE(dropped(check(m, "192.0.2.2", 255, keys)));
    m.version = wire::version_1;
    CHECK(dropped(check(m, "192.0.2.2", 255, keys)) == reason::old_version);
    CHECK_FALSE(dropped(check(m, "192.0.2.2", 255, keys, true)));
    // Signed with keys, checked without: it cannot be verified.
    const auto bytes = wire::encode(inq("h2"), keys, {family::v4, *prefix::parse("192.0.2.0/24")});
    const sequence_space seq(7, std::nullopt, wire::max_round_seq, 2);
    const std::string self = "h1";
    const keyring none;
    auto r = admission::check_datagram(lan_a(), ip("192.0.2.2"), bytes.data(), bytes.size(), 255,
                                       admission::settings{self, none, false, seq});
    CHECK(dropped(r) == reason::wire);
}

TEST_CASE("admission: sender checks are replay checks, with keys only") {
    peer known;
    known.incarnation = 10;
    CHECK_FALSE(admission::check_sender(inq("h2", 9), &known, std::nullopt, false));
    CHECK(admission::check_sender(inq("h2", 9), &known, std::nullopt, true)->why == reason::replay);
    CHECK_FALSE(admission::check_sender(inq("h2", 10), &known, std::nullopt, true));
    CHECK_FALSE(admission::check_sender(inq("h2", 11), &known, std::nullopt, true));
    // A forgotten peer: its incarnation, or an older one, is a replay.
    CHECK(admission::check_sender(inq("h2", 10), nullptr, 10u, true)->why == reason::replay);
    CHECK_FALSE(admission::check_sender(inq("h2", 11), nullptr, 10u, true));
    CHECK_FALSE(admission::check_sender(inq("h2", 10), nullptr, 10u, false));
    CHECK_FALSE(admission::check_sender(inq("h2", 1), nullptr, std::nullopt, true));
}

TEST_CASE("admission: a round INQ's sequence number must grow on its path, within one incarnation (keys)") {
    path pa(path_tracker(3, 3, ms(0)));
    CHECK_FALSE(admission::check_round_inq(inq("h2", 5, 1), pa, false, true));  // none seen yet
    pa.inq_seen = true;
    pa.last_inq_seq = 4;
    pa.inq_seq_incarnation = 5;
    CHECK(admission::check_round_inq(inq("h2", 5, 4), pa, false, true)->why == reason::replay);
    CHECK(admission::check_round_inq(inq("h2", 5, 3), pa, false, true)->why == reason::replay);
    CHECK_FALSE(admission::check_round_inq(inq("h2", 5, 5), pa, false, true));
    CHECK_FALSE(admission::check_round_inq(inq("h2", 6, 1), pa, false, true));   // a new incarnation starts again
    CHECK_FALSE(admission::check_round_inq(inq("h2", 5, 4), pa, true, true));    // a peer just met
    CHECK_FALSE(admission::check_round_inq(inq("h2", 5, 4), pa, false, false));  // no keys: no mark
}
