#include "faild/core/silence_watch.hpp"

#include "faild/core/options.hpp"

#include <algorithm>

namespace faild {

duration silence_watch::after_for(duration interval) { return std::max<duration>(ms(10'000), interval * 3); }

std::optional<event> silence_watch::check(timestamp now, const peer_map& peers) {
    // A responder hears only requestors (their INQs); a requestor also
    // hears the ACKs of responders.
    std::size_t heard = 0;
    timestamp latest{-1};
    for (const auto& [id, p] : peers) {
        if (!cfg_.requestor && !p.requestor) continue;
        latest = std::max(latest, p.last_seen);
        if (now - p.last_seen < cfg_.after) ++heard;
    }
    quiet_since_ = std::max(quiet_since_, latest);  // silent since the last one was heard
    if (heard) {
        if (!warned_) return std::nullopt;
        warned_ = false;
        return event("daemon", severity::info, "peer_heard")
            .kv("peers", static_cast<long long>(heard))
            .kv("note", "the silence is over");
    }
    if (now - quiet_since_ < cfg_.after) return std::nullopt;
    if (warned_ && now - warned_at_ < cfg_.repeat) return std::nullopt;
    warned_ = true;
    warned_at_ = now;
    const std::string port = std::to_string(cfg_.port);
    const std::string firewall =
        "check the firewall on every host: UDP port " + port +
        " in and out on every LAN, IPv4 broadcast and unicast, IPv6 to ff02::fa1d and unicast, "
        "and nothing between the hosts that lowers the TTL (probes arrive with 255 or are dropped)";
    event e("daemon", severity::warning, "no_peer_heard");
    e.kv("for", format_seconds(std::chrono::duration_cast<std::chrono::seconds>(now - quiet_since_)));
    e.kv("requestor", cfg_.requestor ? "yes" : "no").kv("port", cfg_.port).kv("lans", cfg_.lans);
    if (cfg_.requestor)
        e.kv("hint", "no peer answered our INQs or sent its own: is faild running on the other hosts, with the "
                     "same port and key-file? " + firewall);
    else
        e.kv("hint", "this node only answers (requestor = no) and no requestor's INQ arrived: is any host on these "
                     "LANs a requestor (requestor = yes in faild.conf, or -r)? Else " + firewall);
    return e;
}

}  // namespace faild
