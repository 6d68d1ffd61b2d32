#include "faild/route_plan.hpp"

#include <set>

namespace faild {

namespace {

bool ours(const std::vector<lan>& lans, const ip_address& a) {
    for (const auto& l : lans)
        for (const auto& p : l.addrs)
            if (p.addr == a) return true;
    return false;
}

/// The most preferred LAN (other than `dead`) whose path to `p` is up and
/// has an on-link next hop of family `fam`.
const std::pair<const std::size_t, path>* live_path(const std::vector<lan>& lans, const peer& p,
                                                    std::size_t dead, family fam) {
    for (const auto& entry : p.paths) {  // std::map: ascending LAN index = preference
        const auto& [idx, pa] = entry;
        if (idx == dead || idx >= lans.size() || pa.tracker.state() != path_state::up) continue;
        const auto& hop = pa.hop(fam);
        if (hop && lans[idx].on_link(*hop) && !ours(lans, *hop)) return &entry;
    }
    return nullptr;
}

}  // namespace

route_set plan_routes(const std::vector<lan>& lans, const peer_map& peers) {
    route_set out;
    for (const auto& [id, p] : peers) {
        for (const auto& [dead_idx, dead_path] : p.paths) {
            if (dead_path.tracker.state() != path_state::down || dead_idx >= lans.size()) continue;
            const lan& dead = lans[dead_idx];

            // Destinations: what the peer advertises plus its source address
            // on the dead LAN, each checked below.
            std::set<ip_address> dsts(p.addresses.begin(), p.addresses.end());
            if (dead_path.hop_v4) dsts.insert(*dead_path.hop_v4);
            if (dead_path.hop_v6) dsts.insert(*dead_path.hop_v6);

            for (family fam : {family::v4, family::v6}) {
                auto src = dead.own_address(fam);
                const auto* live = live_path(lans, p, dead_idx, fam);
                if (!src || !live) continue;
                const lan& via_lan = lans[live->first];
                const ip_address& via = *live->second.hop(fam);
                for (const auto& a : dsts) {
                    if (a.fam() != fam || !a.is_routable_unicast() || !dead.on_link(a) || ours(lans, a)) continue;
                    if (via_lan.on_link(a)) continue;  // would loop: the live LAN reaches it directly
                    // First claim wins (peers in node id order): two peers
                    // advertising one address cannot make it flap.
                    out.emplace(a, route{a, via, via_lan.name, via_lan.ifindex, *src});
                }
            }
        }
    }
    return out;
}

}  // namespace faild
