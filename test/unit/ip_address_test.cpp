#include "faild/core/ip_address.hpp"

#include <doctest/doctest.h>

using faild::ip_address;
using faild::prefix;

TEST_CASE("ip_address: parse and canonical text") {
    CHECK(ip_address::parse("192.0.2.1")->to_string() == "192.0.2.1");
    CHECK(ip_address::parse("2001:DB8:0:0:0:0:0:1")->to_string() == "2001:db8::1");
    CHECK(ip_address::parse("2001:db8:0:0:1:0:0:1")->to_string() == "2001:db8::1:0:0:1");
    CHECK(ip_address::parse("2001:0db8::0001")->to_string() == "2001:db8::1");
    CHECK_FALSE(ip_address::parse(""));
    CHECK_FALSE(ip_address::parse("192.0.2"));
    CHECK_FALSE(ip_address::parse("192.0.2.256"));
    CHECK_FALSE(ip_address::parse("2001:db8::1::2"));
    CHECK_FALSE(ip_address::parse("eth0"));
    CHECK(*ip_address::parse("2001:db8::1") == *ip_address::parse("2001:0db8:0::1"));
    CHECK(*ip_address::parse("192.0.2.1") < *ip_address::parse("192.0.2.2"));
    CHECK(*ip_address::parse("203.0.113.1") < *ip_address::parse("2001:db8::1"));  // v4 sorts first
}

TEST_CASE("ip_address: classes") {
    auto a = [](const char* s) { return *ip_address::parse(s); };
    CHECK(a("192.0.2.1").is_routable_unicast());
    CHECK(a("2001:db8::1").is_routable_unicast());
    CHECK(a("fd00::1").is_routable_unicast());
    CHECK_FALSE(a("169.254.1.1").is_routable_unicast());
    CHECK_FALSE(a("fe80::1").is_routable_unicast());
    CHECK(a("fe80::1").is_link_local());
    CHECK_FALSE(a("127.0.0.1").is_routable_unicast());
    CHECK_FALSE(a("::1").is_routable_unicast());
    CHECK_FALSE(a("224.0.0.1").is_routable_unicast());
    CHECK_FALSE(a("ff02::1").is_routable_unicast());
    CHECK_FALSE(a("0.0.0.0").is_routable_unicast());
    CHECK_FALSE(a("255.255.255.255").is_routable_unicast());
    CHECK_FALSE(a("::ffff:192.0.2.1").is_routable_unicast());
}

TEST_CASE("prefix: contains, broadcast, parse") {
    auto p = *prefix::parse("192.0.2.1/24");
    CHECK(p.contains(*ip_address::parse("192.0.2.200")));
    CHECK_FALSE(p.contains(*ip_address::parse("192.0.3.1")));
    CHECK_FALSE(p.contains(*ip_address::parse("2001:db8::1")));
    CHECK(p.broadcast().to_string() == "192.0.2.255");
    CHECK(prefix::parse("198.51.100.9/30")->broadcast().to_string() == "198.51.100.11");
    CHECK(prefix::parse("198.51.100.9/27")->contains(*ip_address::parse("198.51.100.31")));
    CHECK_FALSE(prefix::parse("198.51.100.9/27")->contains(*ip_address::parse("198.51.100.32")));
    CHECK(prefix::parse("2001:db8:a::1/64")->contains(*ip_address::parse("2001:db8:a::99")));
    CHECK_FALSE(prefix::parse("192.0.2.1/33"));
    CHECK_FALSE(prefix::parse("192.0.2.1/"));
    CHECK_FALSE(prefix::parse("192.0.2.1"));
    CHECK_FALSE(prefix::parse("192.0.2.1/2x"));
    CHECK(prefix::parse("2001:db8::1/128")->to_string() == "2001:db8::1/128");
}

TEST_CASE("ip_address: odd textual forms are accepted and printed canonically (RFC 5952)") {
    struct row {
        const char* in;
        const char* out;
    };
    const row rows[] = {
        {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
        {"2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"},  // the longest zero run, the first of equals
        {"2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"},
        {"2001:db8::0:1", "2001:db8::1"},
        {"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},
        {"2001:db8:1:1:1:1:1:0", "2001:db8:1:1:1:1:1:0"},  // one zero group stays
        {"0:0:0:0:0:0:0:0", "::"},
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"FE80::A:1", "fe80::a:1"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.in);
        auto a = ip_address::parse(r.in);
        REQUIRE(a);
        CHECK(a->to_string() == r.out);
        CHECK(*ip_address::parse(a->to_string()) == *a);
    }
    CHECK_FALSE(ip_address::parse("fe80::1%eth0"));  // zones are not addresses
    CHECK_FALSE(ip_address::parse(" 192.0.2.1"));
    CHECK_FALSE(ip_address::parse("2001:db8::g"));
}

TEST_CASE("prefix: network") {
    CHECK(prefix::parse("192.0.2.77/24")->network().to_string() == "192.0.2.0");
    CHECK(prefix::parse("198.51.100.9/27")->network().to_string() == "198.51.100.0");
    CHECK(prefix::parse("2001:db8:a::1/64")->network().to_string() == "2001:db8:a::");
    CHECK(prefix::parse("2001:db8:a::1/128")->network().to_string() == "2001:db8:a::1");
}
