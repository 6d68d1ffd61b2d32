// DOC: route_table_contract — one suite of route-table behaviour run against
// every backend (the fake in unit/fake_route_table_test.cpp, the dry run's
// null table in unit/null_route_table_test.cpp, the kernel through libnl
// in netns/linux_platform_test.cpp), as PowerDNS runs one
// test-mplexer suite over every multiplexer.
//
// The scene: we sit on LAN A and LAN B. The peer's address on A is the one
// that becomes unreachable; routes to it go via the peer's address on B, dev
// B, src our address on A. Addresses come from the documentation ranges; the
// Linux test puts them on veths in a private namespace.
//
// Call check_route_table_contract() from a TEST_CASE whose body builds a fresh
// table (and, for Linux, a fresh namespace): it is made of SUBCASEs, and
// doctest re-runs the body once per subcase.
#pragma once

#include "faild/core/ip_address.hpp"
#include "faild/core/route.hpp"
#include "platform/platform.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <string>

namespace contract {

inline faild::ip_address ip(const char* text) { return *faild::ip_address::parse(text); }

// Ours.
inline const faild::ip_address our_a_v4 = ip("192.0.2.1");
inline const faild::ip_address our_b_v4 = ip("198.51.100.1");
inline const faild::ip_address our_a_v6 = ip("2001:db8:a::1");
inline const faild::ip_address our_b_v6 = ip("2001:db8:b::1");
// The peer's.
inline const faild::ip_address peer_a_v4 = ip("192.0.2.2");
inline const faild::ip_address peer_b_v4 = ip("198.51.100.2");
inline const faild::ip_address peer_a_v6 = ip("2001:db8:a::2");
inline const faild::ip_address peer_b_v6 = ip("2001:db8:b::2");
inline const faild::ip_address peer_a_ll = ip("fe80::a1");
inline const faild::ip_address peer_b_ll = ip("fe80::b1");
// On-link of A and B, owned by nobody: next hops for replace().
inline const faild::ip_address other_a_v4 = ip("192.0.2.3");
inline const faild::ip_address other_b_v4 = ip("198.51.100.3");
inline const faild::ip_address other_b_v6 = ip("2001:db8:b::3");

struct link {
    std::string name;
    int ifindex = 0;
};

struct environment {
    link a;  ///< LAN A: our_a_* live here (/24, /64)
    link b;  ///< LAN B: our_b_*
    /// Installs `r` as somebody else's route (protocol static).
    std::function<void(const faild::route&)> add_foreign;
    /// Is that foreign route still there, unchanged?
    std::function<bool(const faild::route&)> foreign_present;
};

/// "dst/len via X dev NAME(INDEX) src Y": every field the table must keep.
inline std::string show(const faild::route& r) {
    return r.dst.to_string() + (r.dst.is_v4() ? "/32" : "/128") + " via " + r.via.to_string() + " dev " + r.dev +
           "(" + std::to_string(r.ifindex) + ") src " + r.src.to_string();
}

inline std::string show(const faild::route_set& routes) {
    std::string out;
    for (const auto& [dst, r] : routes) {
        if (!out.empty()) out += "; ";
        out += show(r);
        if (dst != r.dst) out += " (KEYED AS " + dst.to_string() + ")";
    }
    return out;
}

inline faild::route make(const faild::ip_address& dst, const faild::ip_address& via, const link& dev,
                         const faild::ip_address& src) {
    faild::route r;
    r.dst = dst;
    r.via = via;
    r.dev = dev.name;
    r.ifindex = dev.ifindex;
    r.src = src;
    return r;
}

/// list() as text, or "ERROR: ..." when it fails.
inline std::string listed(faild::platform::route_table& table) {
    std::string error;
    auto routes = table.list(error);
    if (!routes) return "ERROR: " + error;
    return show(*routes);
}

inline void check_route_table_contract(faild::platform::route_table& table, const environment& env) {
    using faild::route;
    const route v4 = make(peer_a_v4, peer_b_v4, env.b, our_a_v4);
    const route v6_ll = make(peer_a_v6, peer_b_ll, env.b, our_a_v6);
    const route v6_global = make(peer_a_v6, peer_b_v6, env.b, our_a_v6);

    SUBCASE("the table starts empty") { CHECK(listed(table) == ""); }

    SUBCASE("add (IPv4): list shows exactly that route, every field") {
        REQUIRE(table.add(v4).error == "");
        CHECK(listed(table) == show(v4));
    }

    SUBCASE("add (IPv6 via a link-local next hop): listed with its interface") {
        REQUIRE(table.add(v6_ll).error == "");
        CHECK(listed(table) == show(v6_ll));
    }

    SUBCASE("add (IPv6 via a global next hop)") {
        REQUIRE(table.add(v6_global).error == "");
        CHECK(listed(table) == show(v6_global));
    }

    SUBCASE("add twice fails with \"route exists\" and keeps the first") {
        REQUIRE(table.add(v4).ok());
        CHECK(table.add(v4).error == "route exists");
        CHECK(table.add(make(peer_a_v4, other_b_v4, env.b, our_b_v4)).error == "route exists");
        CHECK(listed(table) == show(v4));
        REQUIRE(table.add(v6_ll).ok());
        CHECK(table.add(v6_global).error == "route exists");
        CHECK(listed(table) == show(v4) + "; " + show(v6_ll));
    }

    SUBCASE("replace changes via, dev and src in place (IPv4)") {
        REQUIRE(table.add(v4).ok());
        const route moved = make(peer_a_v4, other_a_v4, env.a, our_b_v4);
        CHECK(table.replace(moved).error == "");
        CHECK(listed(table) == show(moved));
        CHECK(table.replace(v4).error == "");
        CHECK(listed(table) == show(v4));
    }

    SUBCASE("replace changes via and src in place (IPv6)") {
        REQUIRE(table.add(v6_ll).ok());
        const route moved = make(peer_a_v6, other_b_v6, env.b, our_b_v6);
        CHECK(table.replace(moved).error == "");
        CHECK(listed(table) == show(moved));
        CHECK(table.replace(v6_ll).error == "");
        CHECK(listed(table) == show(v6_ll));
    }

    SUBCASE("replace of a missing route creates it") {
        CHECK(table.replace(v4).error == "");
        CHECK(table.replace(v6_ll).error == "");
        CHECK(listed(table) == show(v4) + "; " + show(v6_ll));
    }

    SUBCASE("remove, then the list is empty") {
        REQUIRE(table.add(v4).ok());
        REQUIRE(table.add(v6_ll).ok());
        CHECK(table.remove(v4).error == "");
        CHECK(listed(table) == show(v6_ll));
        CHECK(table.remove(v6_ll).error == "");
        CHECK(listed(table) == "");
    }

    SUBCASE("remove matches the destination only, not the next hop") {
        REQUIRE(table.add(v4).ok());
        faild::route just_dst;
        just_dst.dst = peer_a_v4;
        CHECK(table.remove(just_dst).error == "");
        CHECK(listed(table) == "");
    }

    SUBCASE("remove of a missing route fails with \"no such route\"") {
        CHECK(table.remove(v4).error == "no such route");
        CHECK(table.remove(v6_ll).error == "no such route");
        REQUIRE(table.add(v4).ok());
        REQUIRE(table.remove(v4).ok());
        CHECK(table.remove(v4).error == "no such route");
    }

    SUBCASE("many routes of both families") {
        std::string want_v4, want_v6;
        for (int i = 10; i < 110; ++i) {
            auto d4 = ip(("192.0.2." + std::to_string(i)).c_str());
            auto d6 = ip(("2001:db8:a::" + std::to_string(i)).c_str());
            REQUIRE(table.add(make(d4, peer_b_v4, env.b, our_a_v4)).error == "");
            REQUIRE(table.add(make(d6, peer_b_ll, env.b, our_a_v6)).error == "");
        }
        std::string error;
        auto routes = table.list(error);
        REQUIRE(routes);
        CHECK(routes->size() == 200);
        for (const auto& [dst, r] : *routes) CHECK(table.remove(r).error == "");
        CHECK(listed(table) == "");
    }

    // A table nothing else writes to (the dry run's null table) has no
    // foreign routes to plant: it leaves env.add_foreign empty.
    if (env.add_foreign) SUBCASE("routes not tagged as faild's are never listed, removed or replaced") {
        const route theirs4 = make(ip("192.0.2.9"), peer_b_v4, env.b, our_a_v4);
        const route theirs6 = make(ip("2001:db8:a::9"), peer_b_ll, env.b, our_a_v6);
        env.add_foreign(theirs4);
        env.add_foreign(theirs6);
        REQUIRE(env.foreign_present(theirs4));
        REQUIRE(env.foreign_present(theirs6));
        REQUIRE(table.add(v4).ok());

        CHECK(listed(table) == show(v4));
        CHECK(table.remove(theirs4).error == "no such route");
        CHECK(table.remove(theirs6).error == "no such route");
        // Same destination, same kernel key: the kernel refuses the add, and
        // replace must not swap their route for ours.
        CHECK(table.add(theirs4).error == "route exists (not faild's)");
        CHECK(table.replace(make(theirs4.dst, other_b_v4, env.b, our_b_v4)).error == "route exists (not faild's)");
        CHECK(table.replace(make(theirs6.dst, other_b_v6, env.b, our_b_v6)).error == "route exists (not faild's)");
        CHECK(env.foreign_present(theirs4));
        CHECK(env.foreign_present(theirs6));
        CHECK(listed(table) == show(v4));
    }

    SUBCASE("malformed routes are refused before they reach the table") {
        CHECK(table.add(make(peer_a_v4, peer_b_v6, env.b, our_a_v4)).error ==
              "address families differ (dst 192.0.2.2, via 2001:db8:b::2)");
        CHECK(table.add(make(peer_a_v6, peer_b_ll, env.b, our_a_v4)).error ==
              "address families differ (dst 2001:db8:a::2, src 192.0.2.1)");
        CHECK(table.replace(make(peer_a_v4, peer_b_v6, env.b, our_a_v4)).error ==
              "address families differ (dst 192.0.2.2, via 2001:db8:b::2)");
        CHECK(table.add(make(peer_a_v6, peer_b_ll, link{}, our_a_v6)).error == "no outgoing interface");
        CHECK(listed(table) == "");
    }
}

}  // namespace contract
