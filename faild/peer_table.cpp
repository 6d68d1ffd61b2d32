#include "faild/peer_table.hpp"

namespace faild {

bool lan::on_link(const ip_address& a) const {
    for (const auto& p : addrs)
        if (p.contains(a)) return true;
    return false;
}

std::optional<ip_address> lan::own_address(family fam) const {
    for (const auto& p : addrs)
        if (p.addr.fam() == fam) return p.addr;
    return std::nullopt;
}

std::optional<ip_address> lan::broadcast() const {
    for (const auto& p : addrs) {
        if (!p.addr.is_v4()) continue;
        if (p.len <= 30) return p.broadcast();
        return ip_address::parse("255.255.255.255");
    }
    return std::nullopt;
}

bool peer::any_up() const {
    for (const auto& [idx, p] : paths)
        if (p.tracker.state() == path_state::up) return true;
    return false;
}

}  // namespace faild
