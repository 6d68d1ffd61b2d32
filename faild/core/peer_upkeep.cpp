#include "faild/core/peer_upkeep.hpp"

#include <algorithm>
#include <cstdint>

namespace faild::peer_upkeep {

std::size_t ids_from(const peer_map& peers, std::size_t li, const ip_address& from) {
    std::size_t n = 0;
    for (const auto& [id, q] : peers)
        if (q.first_lan == li && q.first_source == from) ++n;
    return n;
}

bool any_up(const peer& p) {
    return std::any_of(p.paths.begin(), p.paths.end(),
                       [](const auto& kp) { return kp.second.tracker.state() == path_state::up; });
}

bool sheltered(const peer& p, bool keyed,
               const std::function<bool(const peer&, path_key, const path&)>& hop_proven) {
    if (keyed) return any_up(p);  // every peer is authenticated: any with a path up stays
    // Without keys, node ids cost nothing: only a peer proven on two LANs
    // (up, next hop proven) is sure to be a host of ours.
    std::size_t lans = 0, last = SIZE_MAX;
    for (const auto& [k, pa] : p.paths)  // ordered by LAN
        if (k.lan != last && pa.tracker.state() == path_state::up && hop_proven(p, k, pa)) {
            ++lans;
            last = k.lan;
        }
    return lans >= 2;
}

peer_map::iterator eviction_victim(peer_map& peers, const std::function<bool(const peer&)>& shelter) {
    auto victim = peers.end();
    bool victim_up = true;
    for (auto it = peers.begin(); it != peers.end(); ++it) {
        if (shelter(it->second)) continue;
        const bool up = any_up(it->second);
        if (victim == peers.end() || (victim_up && !up) ||
            (up == victim_up && it->second.last_seen < victim->second.last_seen)) {
            victim = it;
            victim_up = up;
        }
    }
    return victim;
}

bool lost(peer& p, timestamp now, duration forget_after, duration interval) {
    bool all_down = !p.paths.empty();
    for (const auto& [k, pa] : p.paths)
        if (pa.tracker.state() != path_state::down) all_down = false;
    if (!all_down) p.unreachable_since = timestamp(-1);
    else if (p.unreachable_since.count() < 0) p.unreachable_since = now;
    return (all_down && now - p.unreachable_since >= forget_after) || now - p.last_seen >= forget_after + interval * 2;
}

void tombstones::bury(const std::string& id, std::uint32_t incarnation) {
    auto [t, fresh] = by_id_.try_emplace(id, incarnation);
    if (!fresh) {
        t->second = std::max(t->second, incarnation);
        return;
    }
    order_.push_back(id);
    if (order_.size() > limit_) {
        by_id_.erase(order_.front());
        order_.erase(order_.begin());
    }
}

std::optional<std::uint32_t> tombstones::find(const std::string& id) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    return it->second;
}

}  // namespace faild::peer_upkeep
