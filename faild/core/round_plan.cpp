#include "faild/core/round_plan.hpp"

#include "faild/core/wire.hpp"

namespace faild::round_plan {

ack_decision decide_acks(std::uint32_t round, const std::vector<rtt_need>& peers) {
    ack_decision d;
    d.wanted = round % ack_every == 0;
    d.burst_taken.assign(peers.size(), false);
    for (std::size_t i = 0; i < peers.size(); ++i) {
        const rtt_need& p = peers[i];
        if (!p.mutual || !p.up) continue;
        if (!p.measured) {
            d.wanted = d.unmeasured = true;
        } else if (p.burst_left > 0) {
            d.burst_taken[i] = true;
            d.wanted = true;
        }
    }
    return d;
}

plan make_plan(std::uint32_t round, const ack_decision& acks, bool unicast_inq, const std::vector<member>& peers) {
    plan pl;
    pl.awaited.assign(peers.size(), false);
    for (std::size_t i = 0; i < peers.size(); ++i) {
        if (peers[i].heard) {
            if (pl.heard.size() < wire::max_heard) pl.heard.push_back(peers[i].id);
            else pl.heard_truncated = true;
        }
        pl.awaited[i] = !peers[i].mutual || acks.wanted;
    }
    // A broadcast (or multicast) is flooded to every host on the LAN and
    // looped back to us; a unicast datagram costs only its receiver.
    pl.broadcast = round % ack_every == 0 || acks.unmeasured || round % broadcast_every == 0 || !unicast_inq;
    for (const auto& p : peers) {
        if (pl.broadcast) break;
        if (!p.hop || pl.unicast.size() == max_unicast_peers) pl.broadcast = true;
        else pl.unicast.push_back(*p.hop);
    }
    if (pl.unicast.empty()) pl.broadcast = true;
    if (pl.broadcast) pl.unicast.clear();
    return pl;
}

std::vector<ip_address> choose_warmups(const std::vector<std::vector<ip_address>>& candidates) {
    std::vector<ip_address> out;
    for (const auto& addrs : candidates)
        for (std::size_t i = 0; i < addrs.size() && i < warmups_per_peer; ++i) {
            if (out.size() == warmups_per_round) return out;
            out.push_back(addrs[i]);
        }
    return out;
}

std::optional<std::size_t> choose_control(std::size_t lan, family fam, const std::vector<control_candidate>& candidates) {
    std::optional<std::size_t> best;
    int best_rank = -1;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto& c = candidates[i];
        if (c.lan == lan && c.fam == fam) continue;
        const int rank = (c.lan != lan ? 2 : 0) + (c.fam == fam ? 1 : 0);
        if (rank > best_rank) {
            best = i;
            best_rank = rank;
        }
    }
    return best;
}

}  // namespace faild::round_plan
