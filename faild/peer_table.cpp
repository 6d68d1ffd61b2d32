#include "faild/peer_table.hpp"

#include "faild/wire.hpp"

namespace faild {

const char* to_string(family f) { return f == family::v4 ? "v4" : "v6"; }

bool lan::in_prefixes(const ip_address& a) const {
    for (const auto& p : addrs)
        if (p.contains(a)) return true;
    return false;
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
