#include "faild/core/peer_learning.hpp"

#include <algorithm>

namespace faild::peer_learning {

learned learn(peer& p, const wire::message& m, timestamp now) {
    learned l;
    if (p.incarnation != m.incarnation) {
        l.restarted = p.incarnation != 0;
        p.incarnation = m.incarnation;
        // A new incarnation answers no probe of the old one's peer: with
        // keys, a path that is not up waits for an answer of the new one.
        for (auto& [k, pa] : p.paths)
            if (pa.tracker.state() != path_state::up) pa.fresh = false;
    }
    p.interval_us = m.interval_us;
    p.last_seen = now;
    std::vector<ip_address> claimed(m.addresses.begin(),
                                    m.addresses.begin() + std::ptrdiff_t(std::min(m.addresses.size(), max_peer_addresses)));
    if (claimed != p.addresses) {
        p.addresses = std::move(claimed);
        l.addresses_changed = true;
    }
    return l;
}

bool learn_rounds(peer& p, const wire::message& m, bool mutual_on, duration interval, timestamp now) {
    p.requestor = true;
    const bool was_mutual = mutual_on && p.mutual;
    p.mutual = (m.flags & wire::flag_mutual) != 0;
    if (!mutual_on || !p.mutual || was_mutual) return false;
    // From now on its INQs answer ours: no ACK awaited for the round in
    // progress, and its next INQ on each LAN is due in 1.5 intervals (the
    // datagram in hand sets this path's own).
    for (auto& [k, pa] : p.paths) {
        if (!pa.wait.retry()) pa.wait.stop();
        pa.expect.start(now, interval);
    }
    return true;
}

bool claims(const peer& p, path_key k, const std::vector<lan>& lans) {
    return k.lan < lans.size() && std::any_of(p.addresses.begin(), p.addresses.end(), [&](const ip_address& a) {
               return a.fam() == k.fam && a.is_routable_unicast() && lans[k.lan].in_prefixes(a);
           });
}

std::vector<path_key> claimed_paths(const peer& p, const std::vector<lan>& lans) {
    std::vector<path_key> keys;
    for (std::size_t li = 0; li < lans.size(); ++li)
        for (const auto& a : p.addresses)
            if (a.is_routable_unicast() && lans[li].in_prefixes(a)) keys.push_back({li, a.fam()});
    return keys;
}

std::vector<path_key> unclaimed_paths(const peer& p, const std::vector<lan>& lans, path_key heard) {
    std::vector<path_key> keys;
    for (const auto& [k, pa] : p.paths)
        if (pa.tracker.state() == path_state::down && !claims(p, k, lans) && !(k == heard)) keys.push_back(k);
    return keys;
}

}  // namespace faild::peer_learning
