#include "faild/core/route_plan.hpp"

#include <set>

namespace faild {

namespace {

bool ours(const std::vector<lan>& lans, const ip_address& a) {
    for (const auto& l : lans) {
        if (l.link_local && *l.link_local == a) return true;
        for (const auto& p : l.addrs)
            if (p.addr == a) return true;
    }
    return false;
}

/// The most preferred LAN (other than `dead`) whose path to `p` in family
/// `fam` is up, with an on-link next hop (IPv6: usually its link-local).
const std::pair<const path_key, path>* live_path(const std::vector<lan>& lans, const peer& p, std::size_t dead,
                                                 family fam, const address_book& proofs) {
    for (const auto& entry : p.paths) {  // ordered by LAN index = preference
        const auto& [key, pa] = entry;
        if (key.fam != fam || key.lan == dead || key.lan >= lans.size()) continue;
        if (pa.routing_state() != path_state::up || !pa.hop) continue;
        if (!proofs.proven(p.node_id, *pa.hop, lans[key.lan].name)) continue;  // a source is no proof
        if (lans[key.lan].on_link(*pa.hop) && !ours(lans, *pa.hop)) return &entry;
    }
    return nullptr;
}

}  // namespace

route_set plan_routes(const std::vector<lan>& lans, const peer_map& peers, const address_book& proofs, bool keyed) {
    route_set out;
    for (const auto& [id, p] : peers) {
        for (const auto& [key, dead_path] : p.paths) {
            if (dead_path.routing_state() != path_state::down || key.lan >= lans.size()) continue;
            const lan& dead = lans[key.lan];
            const auto* live = live_path(lans, p, key.lan, key.fam, proofs);
            if (!live) continue;
            const lan& via_lan = lans[live->first.lan];
            // Our own address on the dead LAN, or, when it is gone with its
            // interface, one of the LAN we send by.
            auto src = dead.own_address(key.fam);
            if (!src) src = via_lan.own_address(key.fam);
            if (!src) continue;
            const ip_address& via = *live->second.hop;

            // Destinations: only what the peer advertises now, each checked.
            std::set<ip_address> dsts(p.addresses.begin(), p.addresses.end());
            for (const auto& a : dsts) {
                if (a.fam() != key.fam || !a.is_routable_unicast() || !dead.in_prefixes(a) || ours(lans, a)) continue;
                if (dead.is_special(a)) continue;      // a prefix's network, broadcast or anycast address
                if (via_lan.in_prefixes(a)) continue;  // would loop: the live LAN reaches it directly
                // The peer's own (proven), or with keys an authenticated
                // claim that no other node's proof contradicts.
                if (!proofs.proven(id, a, dead.name) && !(keyed && !proofs.proven_by_other(id, a, dead.name)))
                    continue;
                // First claim wins (peers in node id order): two peers with
                // unproven keyed claims to one address cannot make it flap.
                out.emplace(a, route{a, via, via_lan.name, via_lan.ifindex, *src, id});
            }
        }
    }
    return out;
}

}  // namespace faild
