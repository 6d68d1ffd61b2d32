// DOC: peer_upkeep — keeping the peer table bounded and current.
//
// The peer table holds at most max_peers node ids. A new one needs a place:
// it is refused when its source address already brought in
// max_ids_per_source ids that are still here (a host on two LANs could
// otherwise answer under as many ids as it likes), and when the table is
// full, the least recently heard peer that is not *sheltered* gives way
// (one without a path up first). Sheltered, never pushed out by a
// newcomer: with keys any peer with a path up; without, a peer up on two
// LANs with proven next hops there (node ids cost nothing without keys).
//
// A peer is forgotten (lost) when every path of it has been down for
// forget_after, or when nothing was heard of it for forget_after plus two
// of its intervals. With keys, the incarnation of each forgotten peer is
// remembered (the newest max_tombstones of them), so a replay of it
// brings nothing back (admission drops it).
//
// Pure: time passed in; the engine turns the answers into effects.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/peer_table.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faild::peer_upkeep {

/// How many peers in `peers` were first heard from `from` on LAN `li`.
std::size_t ids_from(const peer_map& peers, std::size_t li, const ip_address& from);

/// Whether `p` has a path up.
bool any_up(const peer& p);

/// Whether `p` is sheltered (see above); `hop_proven(p, k, pa)` tells
/// whether the path's next hop is proven.
bool sheltered(const peer& p, bool keyed,
               const std::function<bool(const peer&, path_key, const path&)>& hop_proven);

/// The peer to give way for a newcomer: the least recently heard of those
/// `shelter` does not keep, one without a path up first; peers.end() when
/// every peer is sheltered.
peer_map::iterator eviction_victim(peer_map& peers, const std::function<bool(const peer&)>& shelter);

/// Notes at `now` whether every path of `p` is down (since when), and
/// says whether `p` is lost: all down for `forget_after`, or not heard for
/// `forget_after` plus two of its intervals (`interval`).
bool lost(peer& p, timestamp now, duration forget_after, duration interval);

/// With keys: the incarnations of forgotten peers, the newest `limit`.
class tombstones {
public:
    explicit tombstones(std::size_t limit = 1024) : limit_(limit) {}
    /// Remembers that `id` was forgotten with `incarnation` (the higher
    /// one when it was before).
    void bury(const std::string& id, std::uint32_t incarnation);
    /// The incarnation `id` was last forgotten with.
    std::optional<std::uint32_t> find(const std::string& id) const;
    std::size_t size() const { return by_id_.size(); }

private:
    std::size_t limit_;
    std::map<std::string, std::uint32_t> by_id_;
    std::vector<std::string> order_;  ///< oldest first
};

}  // namespace faild::peer_upkeep
