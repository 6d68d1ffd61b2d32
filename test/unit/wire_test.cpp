#include "faild/core/wire.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <variant>

using namespace faild;

namespace {

wire::message sample() {
    wire::message m;
    m.kind = wire::type::inq;
    m.node_id = "host-1.example";
    m.incarnation = 0xdeadbeef;
    m.seq = 42;
    m.interval_us = 100'000;
    m.addresses = {*ip_address::parse("192.0.2.1"), *ip_address::parse("2001:db8::1")};
    m.heard = {"h2", "h3"};
    return m;
}

std::variant<wire::message, wire::error> dec(const std::vector<std::uint8_t>& b) {
    return wire::decode(b.data(), b.size());
}

/// LAN A of the lab in IPv4: what the keyed tests' MACs bind.
const wire::lan_binding lan_a{family::v4, *prefix::parse("192.0.2.0/24")};
const std::vector<wire::lan_binding> on_a{lan_a};

wire::error err(const std::vector<std::uint8_t>& b) {
    auto r = dec(b);
    REQUIRE(std::holds_alternative<wire::error>(r));
    return std::get<wire::error>(r);
}

}  // namespace

TEST_CASE("wire: round trip of every message type") {
    for (auto kind : {wire::type::inq, wire::type::ack, wire::type::bye, wire::type::notice}) {
        auto m = sample();
        m.kind = kind;
        auto r = dec(wire::encode(m));
        REQUIRE(std::holds_alternative<wire::message>(r));
        const auto& d = std::get<wire::message>(r);
        CHECK(d.kind == kind);
        CHECK(d.node_id == m.node_id);
        CHECK(d.incarnation == m.incarnation);
        CHECK(d.seq == m.seq);
        CHECK(d.interval_us == m.interval_us);
        CHECK(d.addresses == m.addresses);
        CHECK(d.heard == m.heard);
    }
}

TEST_CASE("wire: the largest valid message round-trips and fits max_size") {
    auto m = sample();
    m.node_id = std::string(wire::max_node_id, 'n');
    m.addresses.assign(wire::max_addresses, *ip_address::parse("2001:db8::7"));
    m.heard.assign(wire::max_heard, std::string(wire::max_node_id, 'h'));
    m.target = *ip_address::parse("2001:db8::8");
    auto b = wire::encode(m);
    CHECK(b.size() == wire::max_size - mac_size);
    CHECK(std::holds_alternative<wire::message>(dec(b)));
    keyring keys;
    std::string err;
    REQUIRE(keys.parse(std::string(64, 'a'), "test", err));
    auto signed_b = wire::encode(m, keys, lan_a);
    CHECK(signed_b.size() == wire::max_size);
    CHECK(std::holds_alternative<wire::message>(wire::decode(signed_b.data(), signed_b.size(), keys, on_a)));
}

TEST_CASE("wire: every truncation is rejected") {
    auto b = wire::encode(sample());
    for (std::size_t n = 0; n < b.size(); ++n) {
        CAPTURE(n);
        std::vector<std::uint8_t> cut(b.begin(), b.begin() + std::ptrdiff_t(n));
        auto e = err(cut);
        CHECK((n < wire::header_size ? e == wire::error::too_short : e == wire::error::truncated));
    }
}

TEST_CASE("wire: every bad field is rejected with its reason") {
    auto good = wire::encode(sample());
    auto with = [&](std::size_t at, std::uint8_t v) {
        auto b = good;
        b[at] = v;
        return b;
    };
    CHECK(err(with(0, 'X')) == wire::error::bad_magic);
    CHECK(err(with(1, 'X')) == wire::error::bad_magic);
    CHECK(err(with(2, 0)) == wire::error::bad_version);
    CHECK(err(with(2, 3)) == wire::error::bad_version);
    CHECK(err(with(3, 0)) == wire::error::bad_type);
    CHECK(err(with(3, 5)) == wire::error::bad_type);
    CHECK(err(with(5, 0)) == wire::error::bad_node_id);
    CHECK(err(with(5, 33)) == wire::error::bad_node_id);
    CHECK(err(with(6, 33)) == wire::error::too_many_addresses);
    CHECK(err(with(7, 65)) == wire::error::too_many_heard);
    CHECK(err(with(20, ' ')) == wire::error::bad_node_id);        // node id character
    std::size_t addr0 = 20 + sample().node_id.size();
    CHECK(err(with(addr0, 5)) == wire::error::bad_address);        // family byte
    std::size_t heard0 = addr0 + 5 + 17;
    CHECK(err(with(heard0, 0)) == wire::error::bad_heard);          // empty heard id
    CHECK(err(with(heard0 + 1, '/')) == wire::error::bad_heard);    // heard id character
    auto longer = good;
    longer.push_back(0);
    CHECK(err(longer) == wire::error::trailing_bytes);

    auto m = sample();
    m.interval_us = 999;
    CHECK(err(wire::encode(m)) == wire::error::bad_interval);
    m.interval_us = wire::max_interval_us + 1;
    CHECK(err(wire::encode(m)) == wire::error::bad_interval);
}

TEST_CASE("wire: node ids") {
    CHECK(wire::valid_node_id("h1"));
    CHECK(wire::valid_node_id("host-1.example_a:b"));
    CHECK_FALSE(wire::valid_node_id(""));
    CHECK_FALSE(wire::valid_node_id(std::string(33, 'a')));
    CHECK_FALSE(wire::valid_node_id("a b"));
    CHECK_FALSE(wire::valid_node_id("a\n"));
}

namespace {

keyring key_of(const std::string& hex_lines) {
    keyring k;
    std::string err;
    REQUIRE_MESSAGE(k.parse(hex_lines, "test", err), err);
    return k;
}

const std::string key_a = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string key_b = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

wire::error derr(const std::vector<std::uint8_t>& b, const keyring& k) {
    auto r = wire::decode(b.data(), b.size(), k, on_a);
    REQUIRE(std::holds_alternative<wire::error>(r));
    return std::get<wire::error>(r);
}

}  // namespace

TEST_CASE("wire: authenticated datagrams: round trip, tampering, wrong key, missing MAC") {
    auto a = key_of(key_a);
    auto b = key_of(key_b);
    auto signed_a = wire::encode(sample(), a, lan_a);
    CHECK((signed_a[4] & wire::flag_authenticated));
    CHECK(signed_a.size() == wire::encode(sample()).size() + mac_size);
    auto ok = wire::decode(signed_a.data(), signed_a.size(), a, on_a);
    REQUIRE(std::holds_alternative<wire::message>(ok));
    CHECK(std::get<wire::message>(ok).node_id == "host-1.example");

    CHECK(derr(signed_a, b) == wire::error::bad_mac);              // another key
    for (std::size_t i = 0; i < signed_a.size(); ++i) {             // any bit flipped anywhere
        auto t = signed_a;
        t[i] ^= 0x01;
        CAPTURE(i);
        auto e = derr(t, a);
        CHECK((e == wire::error::bad_mac || e == wire::error::unauthenticated));
    }
    auto plain = wire::encode(sample());
    CHECK(derr(plain, a) == wire::error::unauthenticated);          // no MAC while we have keys
    CHECK(derr(signed_a, keyring{}) == wire::error::unverifiable);  // a MAC and no key
    std::vector<std::uint8_t> cut(signed_a.begin(), signed_a.begin() + wire::header_size + 5);
    CHECK(derr(cut, a) == wire::error::truncated);  // shorter than a MAC
}

TEST_CASE("wire: key rollover: two keys accepted, the first one signs") {
    auto both = key_of(key_b + "\n" + key_a + "\n");
    auto old_only = key_of(key_a);
    auto new_only = key_of(key_b);
    auto from_old = wire::encode(sample(), old_only, lan_a);
    CHECK(std::holds_alternative<wire::message>(wire::decode(from_old.data(), from_old.size(), both, on_a)));
    auto from_both = wire::encode(sample(), both, lan_a);  // signed with key_b
    CHECK(std::holds_alternative<wire::message>(wire::decode(from_both.data(), from_both.size(), new_only, on_a)));
    CHECK(derr(from_both, old_only) == wire::error::bad_mac);
}

TEST_CASE("keyring: file format and refusals") {
    keyring k;
    std::string err;
    CHECK(k.parse("# comment\n" + key_a + "  # the sending key\n\n", "f", err));
    CHECK(k.size() == 1);
    CHECK_FALSE(k.parse("00112233", "f", err));
    CHECK(err == "f:1: key too short (4 bytes; at least 16, e.g. `openssl rand -hex 32`)");
    CHECK_FALSE(k.parse(key_a + "\nzz" + key_a.substr(2), "f", err));
    CHECK(err == "f:2: a key is hex digits only");
    CHECK_FALSE(k.parse(key_a + "\n" + key_b + "\n" + key_a, "f", err));
    CHECK(err.find("f:3: at most two keys") == 0);
    CHECK_FALSE(k.parse("# nothing\n", "f", err));
    CHECK(err == "f: no key in the file");
    CHECK_FALSE(k.parse(key_a + "0", "f", err));
    CHECK(err == "f:1: a key is an even number of hex digits");
}

TEST_CASE("wire: identity_fields match every datagram of ours, keyed or not, and no other sender's") {
    auto matches = [](const std::vector<std::uint8_t>& d, const std::string& id, std::uint32_t inc) {
        for (const auto& [offset, bytes] : wire::identity_fields(id, inc)) {
            if (offset + bytes.size() > d.size()) return false;
            if (!std::equal(bytes.begin(), bytes.end(), d.begin() + std::ptrdiff_t(offset))) return false;
        }
        return true;
    };
    keyring keys = key_of("00112233445566778899aabbccddeeff\n");
    for (auto kind : {wire::type::inq, wire::type::ack, wire::type::bye, wire::type::notice}) {
        CAPTURE(int(kind));
        auto m = sample();
        m.kind = kind;
        for (const auto& d : {wire::encode(m), wire::encode(m, keys, lan_a)}) {
            CHECK(matches(d, "host-1.example", 0xdeadbeef));
            CHECK_FALSE(matches(d, "host-1.example", 0xdeadbeee));  // another incarnation: a collision
            CHECK_FALSE(matches(d, "host-1.exampl", 0xdeadbeef));   // a prefix of the id is another id
            CHECK_FALSE(matches(d, "host-2.example", 0xdeadbeef));
        }
    }
    auto m = sample();
    m.node_id = "h1";
    CHECK(matches(wire::encode(m), "h1", 0xdeadbeef));
    CHECK_FALSE(matches(wire::encode(m), "h12", 0xdeadbeef));
}

TEST_CASE("wire: version 2: a probe names its target, version 1 has none and keeps its flags") {
    auto m = sample();
    m.flags = wire::flag_probe_only;
    m.target = *ip_address::parse("198.51.100.2");
    auto b = wire::encode(m);
    CHECK(b[2] == 2);
    CHECK((b[4] & wire::flag_target));
    auto r = dec(b);
    REQUIRE(std::holds_alternative<wire::message>(r));
    CHECK(std::get<wire::message>(r).target == m.target);
    CHECK(std::get<wire::message>(r).version == wire::version);
    // Flag set, no address after the heard list: cut short.
    auto no_target = wire::encode(sample());
    no_target[4] |= wire::flag_target;
    CHECK(err(no_target) == wire::error::truncated);
    auto bad = b;
    bad[bad.size() - 5] = 5;  // the target's family byte
    CHECK(err(bad) == wire::error::bad_target);

    m.version = wire::version_1;  // a rolling upgrade: no target on the wire
    auto v1 = wire::encode(m);
    CHECK(v1[2] == 1);
    CHECK(v1.size() == b.size() - 5);
    auto r1 = dec(v1);
    REQUIRE(std::holds_alternative<wire::message>(r1));
    CHECK_FALSE(std::get<wire::message>(r1).target);
    auto flagged = v1;  // in version 1 the bit is an unknown flag: ignored, kept
    flagged[4] |= wire::flag_target;
    auto rf = dec(flagged);
    REQUIRE(std::holds_alternative<wire::message>(rf));
    CHECK(wire::encode(std::get<wire::message>(rf)) == flagged);
}

TEST_CASE("wire: a version-2 MAC binds the family and the LAN") {
    auto k = key_of(key_a);
    auto signed_a = wire::encode(sample(), k, lan_a);
    const wire::lan_binding lan_b{family::v4, *prefix::parse("198.51.100.0/24")};
    const wire::lan_binding lan_a_v6{family::v6, *prefix::parse("2001:db8:a::/64")};
    const wire::lan_binding lan_a_25{family::v4, *prefix::parse("192.0.2.0/25")};
    auto with = [&](std::vector<wire::lan_binding> lans) {
        return wire::decode(signed_a.data(), signed_a.size(), k, lans);
    };
    auto rejected = [&](std::vector<wire::lan_binding> lans) {
        auto r = with(std::move(lans));
        return std::holds_alternative<wire::error>(r) && std::get<wire::error>(r) == wire::error::bad_mac;
    };
    CHECK(std::holds_alternative<wire::message>(with({lan_a})));
    CHECK(rejected({lan_b}));     // relayed onto another LAN
    CHECK(rejected({lan_a_v6}));  // relayed into the other family
    CHECK(rejected({lan_a_25}));  // the same network, another prefix length
    CHECK(rejected({}));
    CHECK(std::holds_alternative<wire::message>(with({lan_b, lan_a})));  // a LAN with two prefixes
    // The pseudo-header is the binding's network, whatever host bits it has.
    CHECK(std::holds_alternative<wire::message>(with({{family::v4, *prefix::parse("192.0.2.77/24")}})));

    // Version 1 (a rolling upgrade) binds nothing: it verifies anywhere,
    // and the engine decides whether to take it.
    auto m = sample();
    m.version = wire::version_1;
    auto v1 = wire::encode(m, k, lan_a);
    auto r = wire::decode(v1.data(), v1.size(), k, {lan_b});
    REQUIRE(std::holds_alternative<wire::message>(r));
    CHECK(std::get<wire::message>(r).version == wire::version_1);
}
