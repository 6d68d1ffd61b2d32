#include "faild/core/address_proofs.hpp"

#include <algorithm>

namespace faild::address_proofs {

bool in_flight::on_its_way(const std::string& peer, const ip_address& target, timestamp now) const {
    for (const auto& [seq, pr] : by_seq_)
        if (pr.peer == peer && pr.target == target && now < pr.expires) return true;
    return false;
}

std::optional<proof_probe> in_flight::take(std::uint32_t seq, std::size_t lan) {
    auto it = by_seq_.find(seq);
    if (it == by_seq_.end() || it->second.lan != lan) return std::nullopt;
    proof_probe pr = std::move(it->second);
    by_seq_.erase(it);
    return pr;
}

void in_flight::forget_peer(const std::string& peer) {
    for (auto it = by_seq_.begin(); it != by_seq_.end();) it = it->second.peer == peer ? by_seq_.erase(it) : std::next(it);
}

void in_flight::expire(timestamp now, duration keep) {
    for (auto it = by_seq_.begin(); it != by_seq_.end();)
        it = now >= it->second.expires + keep ? by_seq_.erase(it) : std::next(it);
}

bool holds(const peer& q, const ip_address& a) {
    return std::count(q.addresses.begin(), q.addresses.end(), a) > 0 ||
           std::any_of(q.paths.begin(), q.paths.end(),
                       [&](const auto& kp) { return kp.second.hop == a && kp.second.tracker.state() == path_state::up; });
}

bool hop_proven(const address_book& book, const peer& p, const path& pa, const std::string& lan_name) {
    return pa.hop && book.proven(p.node_id, *pa.hop, lan_name);
}

bool held_by_other(const address_book& book, const peer_map& peers, const peer& p, const ip_address& a,
                   const std::string& lan_name, timestamp now) {
    const address_proof* pf = book.find(a, lan_name);
    if (!pf || pf->owner == p.node_id) return false;
    if (!pf->active) return now < pf->holds_until;
    auto q = peers.find(pf->owner);
    return q != peers.end() && holds(q->second, a);
}

std::vector<ip_address> targets(const peer& p, const path& pa, const lan& l, family fam, bool keyed, bool hop_is_proven,
                                const std::function<bool(const ip_address&)>& wanted) {
    std::vector<ip_address> out;
    const bool up = pa.tracker.state() == path_state::up;
    if (pa.hop && (!hop_is_proven || (keyed && !up && !pa.fresh))) out.push_back(*pa.hop);
    if (pa.hop_candidate && !up) out.push_back(*pa.hop_candidate);
    if (!up || !hop_is_proven) return out;
    for (const auto& a : p.addresses) {
        if (a.fam() != fam || !a.is_routable_unicast() || !l.in_prefixes(a) || l.is_special(a) || l.holds(a)) continue;
        if (wanted(a)) out.push_back(a);
    }
    return out;
}

bool note_source(path& pa, const ip_address& from, bool hop_is_proven, bool from_proven) {
    if (!from.is_v4() && !from.is_link_local() && pa.hop) return false;
    if (pa.hop == from) {
        pa.hop_candidate.reset();
        return false;
    }
    const bool up = pa.tracker.state() == path_state::up;
    if (!hop_is_proven || (!up && from_proven)) {
        pa.hop = from;
        pa.hop_candidate.reset();
        return true;
    }
    if (!up) pa.hop_candidate = from;
    return false;
}

bool adopt_hop(path& pa, const ip_address& target) {
    if (pa.hop_candidate != target || pa.tracker.state() == path_state::up) return false;
    pa.hop = target;
    pa.hop_candidate.reset();
    return true;
}

}  // namespace faild::address_proofs
