// DOC: silence_watch — says why a node hears nothing, and what to check.
//
// Two hosts that both only answer (requestor = no) never probe each other;
// a firewall that drops the probes looks the same. Either way faildctl
// shows "(no peers heard yet)" and nothing fails over. This watch turns
// that silence into one warning with the likely causes:
//
//   heard      some peer that can make us hear it (a requestor, or any peer
//              when we are a requestor: its ACKs) was seen within `after`
//   warning    not heard for `after` (since the start, or since the last
//              peer went quiet): `no_peer_heard`, once; again only after it
//              was resolved, or after `repeat` (an hour) of more silence
//   resolved   heard again after a warning: `peer_heard`, once
//
// Pure: the daemon calls check() from its probe loop with the time and the
// engine's peer table.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/effects.hpp"
#include "faild/core/peer_table.hpp"

#include <optional>
#include <string>

namespace faild {

struct silence_config {
    bool requestor = false;       ///< this node sends INQs
    duration after{ms(10'000)};   ///< silence before the warning
    duration repeat{ms(3'600'000)};  ///< at most one warning per this while still silent
    std::uint16_t port = 7793;
    std::string lans;             ///< "eth0,eth1", for the message
};

class silence_watch {
public:
    silence_watch(silence_config cfg, timestamp start) : cfg_(std::move(cfg)), quiet_since_(start) {}

    /// What to say now (fx::no_peer_heard, fx::peer_heard), if anything.
    std::optional<effect> check(timestamp now, const peer_map& peers);
    /// The warning is standing (not yet resolved).
    bool warned() const { return warned_; }

    /// What silence after `interval` probes means: max(10 s, 3 intervals).
    static duration after_for(duration interval);

private:
    silence_config cfg_;
    timestamp quiet_since_;
    timestamp warned_at_{0};
    bool warned_ = false;
};

}  // namespace faild
