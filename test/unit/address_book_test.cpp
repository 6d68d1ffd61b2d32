#include "faild/core/address_book.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace faild;

namespace {

ip_address ip(const char* s) { return *ip_address::parse(s); }

/// Which nodes still advertise the address being recorded.
struct claims {
    std::set<std::string> holders;
    bool operator()(const std::string& node) const { return holders.count(node) > 0; }
};

}  // namespace

TEST_CASE("address_book: the first to prove an address keeps it while it still advertises it") {
    address_book b;
    claims c{{"h2"}};
    CHECK(b.record("h2", ip("198.51.100.2"), "eth1", ms(0), c) == address_book::outcome::recorded);
    CHECK(b.take_changed());
    CHECK(b.proven("h2", ip("198.51.100.2"), "eth1"));
    CHECK(b.proven("h2", ip("198.51.100.2"), "eth0"));  // a global address names a host on any LAN
    CHECK_FALSE(b.proven("evil", ip("198.51.100.2"), "eth1"));
    // Another node answers a probe to it (it took the address over, or
    // lies): refused while h2 still advertises it.
    CHECK(b.record("evil", ip("198.51.100.2"), "eth1", ms(10), c) == address_book::outcome::refused);
    CHECK(b.proven("h2", ip("198.51.100.2"), "eth1"));
    CHECK(b.proven_by_other("evil", ip("198.51.100.2"), "eth1"));
    CHECK_FALSE(b.take_changed());
    // Proven again by its owner: nothing new.
    CHECK(b.record("h2", ip("198.51.100.2"), "eth1", ms(20), c) == address_book::outcome::renewed);
    CHECK_FALSE(b.take_changed());
    // Addresses move (keepalived): once h2 no longer advertises it, the node
    // that now answers there gets it.
    c.holders = {"h3"};
    CHECK(b.record("h3", ip("198.51.100.2"), "eth1", ms(30), c) == address_book::outcome::recorded);
    CHECK(b.proven("h3", ip("198.51.100.2"), "eth1"));
    CHECK_FALSE(b.proven("h2", ip("198.51.100.2"), "eth1"));
}

TEST_CASE("address_book: link-local addresses are told apart by LAN") {
    address_book b;
    claims none;
    CHECK(b.record("h2", ip("fe80::1"), "eth0", ms(0), none) == address_book::outcome::recorded);
    CHECK(b.record("h3", ip("fe80::1"), "eth1", ms(0), none) == address_book::outcome::recorded);
    CHECK(b.proven("h2", ip("fe80::1"), "eth0"));
    CHECK(b.proven("h3", ip("fe80::1"), "eth1"));
    CHECK_FALSE(b.proven("h2", ip("fe80::1"), "eth1"));
    CHECK(b.size() == 2);
}

TEST_CASE("address_book: a forgotten node's proofs sleep until it proves one of them again") {
    address_book b;
    claims h2{{"h2"}};
    b.record("h2", ip("192.0.2.2"), "eth0", ms(0), h2);
    b.record("h2", ip("198.51.100.2"), "eth1", ms(0), h2);
    b.take_changed();
    b.forget("h2");
    CHECK(b.take_changed());
    CHECK_FALSE(b.proven("h2", ip("192.0.2.2"), "eth0"));
    CHECK_FALSE(b.proven("h2", ip("198.51.100.2"), "eth1"));
    // Forgotten: they hold nobody off.
    CHECK_FALSE(b.find(ip("192.0.2.2"), "eth0")->active);
    // h2 back, proving its LAN B address: its LAN A one counts again too,
    // though LAN A may be dead now (the node is the one that proved it).
    CHECK(b.record("h2", ip("198.51.100.2"), "eth1", ms(100), h2) == address_book::outcome::renewed);
    CHECK(b.proven("h2", ip("192.0.2.2"), "eth0"));
    // A new address proves nothing of the old ones: someone else taking the
    // node id with its own address does not wake them.
    b.forget("h2");
    CHECK(b.record("h2", ip("192.0.2.66"), "eth0", ms(200), h2) == address_book::outcome::recorded);
    CHECK_FALSE(b.proven("h2", ip("198.51.100.2"), "eth1"));
    // And another node may take a forgotten node's address.
    claims h3{{"h3"}};
    CHECK(b.record("h3", ip("192.0.2.2"), "eth0", ms(300), h3) == address_book::outcome::recorded);
}

TEST_CASE("address_book: the state file: what was active holds others off for a while, and wakes with its owner") {
    address_book b;
    claims all{{"h2", "h3"}};
    b.record("h2", ip("192.0.2.2"), "eth0", ms(0), all);
    b.record("h2", ip("fe80::2"), "eth0", ms(0), all);
    b.record("h3", ip("198.51.100.3"), "eth1", ms(0), all);
    b.forget("h3");
    const std::string text = b.to_text();
    CHECK(text.find("192.0.2.2 eth0 h2 active\n") != std::string::npos);
    CHECK(text.find("198.51.100.3 eth1 h3 dormant\n") != std::string::npos);

    address_book r;
    std::size_t skipped = 0;
    r.from_text(text + "garbage line\n10.0.0.1 eth0 bad/id active\n300.1.1.1 eth0 h4 active\n", ms(60'000), skipped);
    CHECK(skipped == 3);
    CHECK(r.size() == 3);
    CHECK_FALSE(r.take_changed());
    // Loaded, nothing is active: an owner must show it is the same node.
    CHECK_FALSE(r.proven("h2", ip("192.0.2.2"), "eth0"));
    claims none;
    // While the hold lasts, another node cannot take h2's address, even if
    // h2 has not been heard (yet) since the restart.
    CHECK(r.record("evil", ip("192.0.2.2"), "eth0", ms(1000), none) == address_book::outcome::refused);
    // h3's was dormant already: no hold.
    CHECK(r.record("h4", ip("198.51.100.3"), "eth1", ms(1000), none) == address_book::outcome::recorded);
    // h2 proves its link-local address: both of its proofs are back.
    CHECK(r.record("h2", ip("fe80::2"), "eth0", ms(2000), none) == address_book::outcome::renewed);
    CHECK(r.proven("h2", ip("192.0.2.2"), "eth0"));
    // After the hold, an unheard owner holds nobody off.
    address_book late;
    late.from_text(text, ms(60'000), skipped);
    CHECK(late.record("h5", ip("192.0.2.2"), "eth0", ms(61'000), none) == address_book::outcome::recorded);
}

TEST_CASE("address_book: bounded: past the limit the dormant proofs go first") {
    address_book b;
    claims none;
    b.record("keep", ip("192.0.2.1"), "eth0", ms(0), none);
    b.record("gone", ip("192.0.2.2"), "eth0", ms(1), none);
    b.forget("gone");
    for (std::size_t i = 0; i + 1 < address_book::max_proofs; ++i) {  // one too many in all
        const std::string a = "2001:db8:1::" + std::to_string(i / 1000) + ":" + std::to_string(i % 1000 + 1);
        b.record("n", ip(a.c_str()), "eth0", ms(2 + long(i)), none);
    }
    CHECK(b.size() == address_book::max_proofs);
    CHECK(b.find(ip("192.0.2.2"), "eth0") == nullptr);  // the dormant one went
    CHECK(b.proven("keep", ip("192.0.2.1"), "eth0"));
}
