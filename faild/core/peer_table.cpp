#include "faild/core/peer_table.hpp"

#include <algorithm>

#include "faild/core/wire.hpp"

namespace faild {

const char* to_string(family f) { return f == family::v4 ? "v4" : "v6"; }

bool lan::in_prefixes(const ip_address& a) const {
    auto has = [&](const prefix& p) { return p.contains(a); };
    return std::any_of(addrs.begin(), addrs.end(), has) || std::any_of(seen.begin(), seen.end(), has);
}

void lan::remember(const lan& before) {
    std::vector<prefix> kept;
    for (family fam : {family::v4, family::v6}) {
        const bool now = std::any_of(addrs.begin(), addrs.end(), [&](const prefix& p) { return p.addr.fam() == fam; });
        if (now) continue;
        for (const auto& p : before.seen)
            if (p.addr.fam() == fam) kept.push_back(p);
    }
    seen.clear();
    for (const auto& p : addrs) seen.push_back(prefix{p.network(), p.len});
    seen.insert(seen.end(), kept.begin(), kept.end());
}

bool lan::on_link(const ip_address& a) const {
    if (!a.is_v4()) return a.is_link_local() || (in_prefixes(a) && a.is_routable_unicast());
    for (const auto& p : addrs)
        if (p.contains(a) && (p.len >= 31 || (a != p.network() && a != p.broadcast()))) return true;  // RFC 3021
    return false;
}

std::optional<ip_address> lan::own_address(family fam) const {
    for (const auto& p : addrs)
        if (p.addr.fam() == fam) return p.addr;
    return std::nullopt;
}

bool lan::holds(const ip_address& a) const {
    if (link_local && *link_local == a) return true;
    return std::any_of(addrs.begin(), addrs.end(), [&](const prefix& p) { return p.addr == a; });
}

bool lan::is_special(const ip_address& a) const {
    auto special = [&](const prefix& p) {
        if (!p.contains(a)) return false;
        return a.is_v4() ? p.len <= 30 && (a == p.network() || a == p.broadcast()) : p.len <= 126 && a == p.network();
    };
    return std::any_of(addrs.begin(), addrs.end(), special) || std::any_of(seen.begin(), seen.end(), special);
}

std::optional<prefix> lan::binding(family fam) const {
    for (const auto& p : addrs)
        if (p.addr.fam() == fam) return prefix{p.network(), p.len};
    if (fam == family::v6) return prefix::parse("fe80::/64");
    return std::nullopt;
}

std::vector<prefix> lan::bindings(family fam) const {
    std::vector<prefix> out;
    for (const auto& p : addrs)
        if (p.addr.fam() == fam) out.push_back(prefix{p.network(), p.len});
    // fe80::/64 only where the sender, like us, has no global prefix here.
    if (out.empty() && fam == family::v6) out.push_back(*prefix::parse("fe80::/64"));
    return out;
}

std::optional<ip_address> lan::probe_destination(family fam) const {
    if (!carrier) return std::nullopt;
    if (fam == family::v6) return link_local ? std::optional<ip_address>(wire::v6_group()) : std::nullopt;
    for (const auto& p : addrs) {
        if (!p.addr.is_v4()) continue;
        if (p.len <= 30) return p.broadcast();
        return ip_address::parse("255.255.255.255");
    }
    return std::nullopt;
}

}  // namespace faild
