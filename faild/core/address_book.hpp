// DOC: address_book — which node holds which address, as proven.
//
// What a peer advertises is a claim. An address becomes the peer's (a
// *proof*) only when the peer answered a probe that we sent by unicast to
// that address, on that address's LAN: only the host that holds the address
// receives such a probe, and (with keys) the probe names its target under
// the MAC, so a relayed one is not answered. Routes go only to proven
// addresses and only via proven next hops (route_plan).
//
//   record(P, a) ──> a is P's (active)
//        refused while another node Q holds a (Q proved it, is still known
//        and still advertises it; or Q's proof came from the state file and
//        Q has not been heard since the start, for the hold period)
//   forget(P)    ──> P's proofs dormant: kept, not used, holding nobody off
//   record(P, a) where a was P's dormant proof ──> all of P's proofs active
//        again: P showed it is the node that proved them before
//
// The book survives a restart of faild through a small state file (to_text
// and from_text, written by the daemon): loaded proofs are dormant until
// their owner proves one of them again, and they hold other claimants off
// for the hold period. Plain data, time passed in, no I/O.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/ip_address.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace faild {

struct address_proof {
    std::string owner;          ///< node id
    std::string lan;            ///< name of the LAN the proof was made on
    bool active = true;         ///< false: dormant (owner forgotten, or loaded at start)
    timestamp holds_until{-1};  ///< dormant from the state file: other claimants refused until then
    timestamp proven_at{0};     ///< when it was last proven (recorded or renewed)
};

class address_book {
public:
    enum class outcome {
        recorded,   ///< new, or moved from a node that no longer holds it
        renewed,    ///< it was the owner's already (active again if it was dormant)
        refused,    ///< another node holds it
    };
    /// Most proofs kept; past it the dormant ones go first, then the oldest.
    static constexpr std::size_t max_proofs = 8192;

    /// `owner` answered, at `now`, a probe sent to `a` on LAN `lan`.
    /// `holds(q)` says whether node q is known and still advertises `a`.
    outcome record(const std::string& owner, const ip_address& a, const std::string& lan, timestamp now,
                   const std::function<bool(const std::string&)>& holds);
    /// True when `a` (on LAN `lan`, which matters for link-local addresses
    /// only) is an active proof of `owner`.
    bool proven(const std::string& owner, const ip_address& a, const std::string& lan) const;
    /// The proof of `a`, active or dormant; nullptr when there is none.
    const address_proof* find(const ip_address& a, const std::string& lan) const;
    /// True when a node other than `owner` has a proof of `a`, active or
    /// dormant (a proven claim always wins over an unproven one).
    bool proven_by_other(const std::string& owner, const ip_address& a, const std::string& lan) const;
    /// `owner` is forgotten (BYE, lost, evicted): its proofs go dormant.
    void forget(const std::string& owner);
    /// Whether anything changed since the last call (for the state file).
    bool take_changed();

    /// The state file's text: one proof a line, `address lan owner`,
    /// `active` or `dormant`.
    std::string to_text() const;
    /// Reads to_text()'s output as dormant proofs that hold other claimants
    /// off until `hold_until` (those that were active). Lines it cannot read
    /// are skipped and counted in `skipped`.
    void from_text(const std::string& text, timestamp hold_until, std::size_t& skipped);

    std::size_t size() const { return proofs_.size(); }
    /// Every proof, by (address, LAN for link-local addresses).
    const std::map<std::pair<ip_address, std::string>, address_proof>& all() const { return proofs_; }

private:
    static std::pair<ip_address, std::string> key(const ip_address& a, const std::string& lan);
    void trim();

    std::map<std::pair<ip_address, std::string>, address_proof> proofs_;
    bool changed_ = false;
};

}  // namespace faild
