// DOC: address_proofs — proving that an address is a peer's, and the next
// hops that follow from it (PROTOCOL.md, "Trust").
//
// An address counts as a peer's once the peer answered, on that address's
// LAN, a probe-only INQ sent by unicast to it (a proof probe); the
// address_book keeps the proofs. This file holds the decisions around it:
// - which addresses a path asks proof of (its next hop while unproven, or
//   with keys while the path is not up and has no fresh answer; a
//   candidate next hop while the path is not up; once the path is up with
//   a proven next hop, the peer's advertised addresses on that LAN that
//   are unproven and not held by another node);
// - the proof probes in flight (one per peer and target at a time, each
//   matched to its answer by sequence number and LAN);
// - what a datagram's source does to a path's next hop (note_source), and
//   what an answered proof probe does (adopt_hop).
// Pure: time passed in; the engine sends the probes and makes the effects.
#pragma once

#include "faild/core/address_book.hpp"
#include "faild/core/clock.hpp"
#include "faild/core/peer_table.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faild::address_proofs {

/// A probe-only INQ sent to prove that `target` is `peer`'s.
struct proof_probe {
    std::string peer;
    std::size_t lan = 0;
    ip_address target;
    timestamp expires{0};
};

/// The proof probes sent and not yet answered, by sequence number.
class in_flight {
public:
    /// A probe to `target` for `peer` is on its way at `now` (not expired).
    bool on_its_way(const std::string& peer, const ip_address& target, timestamp now) const;
    void add(std::uint32_t seq, proof_probe pr) { by_seq_[seq] = std::move(pr); }
    /// The probe `seq` sent on LAN `lan`, taken out (answered); nullopt
    /// when there is none (then nothing is taken).
    std::optional<proof_probe> take(std::uint32_t seq, std::size_t lan);
    /// Drops the probes for `peer` (forgotten).
    void forget_peer(const std::string& peer);
    /// Drops the probes whose expiry passed `keep` ago at `now`.
    void expire(timestamp now, duration keep);
    std::size_t size() const { return by_seq_.size(); }

private:
    std::map<std::uint32_t, proof_probe> by_seq_;
};

/// Whether `q` holds `a`: advertises it, or has it as the next hop of a
/// path that is up.
bool holds(const peer& q, const ip_address& a);

/// Whether `pa`'s next hop is proven `p`'s on LAN `lan_name`.
bool hop_proven(const address_book& book, const peer& p, const path& pa, const std::string& lan_name);

/// Whether `a` on LAN `lan_name` is proven by a node other than `p` that
/// still holds it at `now` (an active proof whose owner holds it, or a
/// dormant one still protected).
bool held_by_other(const address_book& book, const peer_map& peers, const peer& p, const ip_address& a,
                   const std::string& lan_name, timestamp now);

/// The addresses path `pa` of `p` on LAN `l` in family `fam` asks proof
/// of, in order (see above). `hop_is_proven`: its next hop is;
/// `wanted(a)`: an advertised address is unproven and not held by
/// another node.
std::vector<ip_address> targets(const peer& p, const path& pa, const lan& l, family fam, bool keyed, bool hop_is_proven,
                                const std::function<bool(const ip_address&)>& wanted);

/// A datagram of the peer's came on `pa` from `from`: the next hop
/// follows it while unproven; a proven one is given up only for another
/// proven one (`from_proven`), and not while the path is up; any other
/// source waits as the candidate (the path not up). IPv6 next hops are
/// link-local: a global source changes nothing. True when the next hop
/// changed.
bool note_source(path& pa, const ip_address& from, bool hop_is_proven, bool from_proven);

/// A proof probe to `target` was answered: the candidate next hop it was
/// (the path not up) becomes the next hop. True when it did.
bool adopt_hop(path& pa, const ip_address& target);

}  // namespace faild::address_proofs
