#include "faild/core/hooks.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace faild {

bool proven_peer(const peer& p, const std::vector<lan>& lans, const address_book& proofs) {
    return std::any_of(p.paths.begin(), p.paths.end(), [&](const auto& kv) {
        const path& pa = kv.second;
        return pa.was_up && pa.hop && kv.first.lan < lans.size() &&
               proofs.proven(p.node_id, *pa.hop, lans[kv.first.lan].name);
    });
}

namespace {

/// The peer an effect is about ("" for none).
std::string peer_of(const effect& e) {
    if (const auto* x = std::get_if<fx::path_changed>(&e)) return x->path.peer;
    if (const auto* x = std::get_if<fx::peer_left>(&e)) return x->peer;
    if (const auto* x = std::get_if<fx::route_changed>(&e)) return x->peer;
    return {};
}

}  // namespace

std::optional<hook_call> hook_for(const effect& e, const std::string& node_id, const std::vector<lan>& lans,
                                  const peer_map& peers, const address_book& proofs) {
    std::string kind, peer, lan_name, fam, reason, route_text;
    bool important = false;
    auto proven = [&](const std::string& id) {
        auto it = peers.find(id);
        return it != peers.end() && proven_peer(it->second, lans, proofs);
    };
    if (const auto* x = std::get_if<fx::path_changed>(&e)) {
        kind = x->down() ? "path_down" : "path_up";
        peer = x->path.peer;
        lan_name = x->path.lan;
        fam = to_string(x->path.fam);
        if (x->down()) reason = to_string(x->reason);
        important = proven(peer);
    } else if (const auto* l = std::get_if<fx::peer_left>(&e); l && l->reason == fx::peer_left::why::lost) {
        kind = "peer_lost";
        peer = l->peer;
        important = proven(peer);
    } else if (const auto* r = std::get_if<fx::route_changed>(&e)) {
        using op = fx::route_changed::op;
        if (r->what == op::added) {
            kind = "failover";
        } else if (r->what == op::removed && r->reason == sync_reason::switchback) {
            kind = "switchback";
        } else if (r->what == op::removed && (r->reason == sync_reason::replanned || r->reason == sync_reason::peer_gone)) {
            kind = "route_removed";
            reason = to_string(r->reason);
        } else {
            return std::nullopt;  // stale, shutdown, repairs: faild's own housekeeping
        }
        fam = to_string(r->r.dst.fam());
        for (const auto& l : lans)
            if (l.in_prefixes(r->r.dst)) {
                lan_name = l.name;
                break;
            }
        peer = r->peer;  // the route plan's choice, carried by the reconciler
        route_text = r->r.to_string();
        important = true;
    } else {
        return std::nullopt;
    }
    hook_call c;
    auto dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
    c.args = {kind, dash(peer), dash(lan_name), dash(fam)};
    c.env = {"FAILD_EVENT=" + kind, "FAILD_PEER=" + peer, "FAILD_LAN=" + lan_name, "FAILD_FAMILY=" + fam,
             "FAILD_NODE_ID=" + node_id};
    if (!reason.empty()) c.env.push_back("FAILD_REASON=" + reason);
    if (!route_text.empty()) c.env.push_back("FAILD_ROUTE=" + route_text);
    c.important = important;
    return c;
}

std::optional<hook_call> hook_planner::plan(const effect& e, const std::string& node_id, const std::vector<lan>& lans,
                                            const peer_map& peers, const address_book& proofs) {
    const std::string peer = peer_of(e);
    if (!peer.empty())
        if (auto it = peers.find(peer); it != peers.end() && proven_peer(it->second, lans, proofs))
            proven_.insert(peer);
    auto call = hook_for(e, node_id, lans, peers, proofs);
    if (const auto* l = std::get_if<fx::peer_left>(&e)) {
        bool was_proven = proven_.erase(peer) > 0;
        if (call && l->reason == fx::peer_left::why::lost) call->important = call->important || was_proven;
    }
    // A departure not seen (a rate-limited peer_evicted line): the memory
    // keeps to the peers still in the table once it grows large.
    if (proven_.size() > 4 * peers.size() + 256)
        for (auto it = proven_.begin(); it != proven_.end();) it = peers.count(*it) ? std::next(it) : proven_.erase(it);
    return call;
}

hook_queue::offer_result hook_queue::offer(hook_call c) {
    if (c.important) {
        if (waiting_.size() >= limits_.waiting) return offer_result::queue_full;
        waiting_.push_back(std::move(c));
        return offer_result::accepted;
    }
    // Not important: a slot now, or nothing. It never takes the place of
    // an important call that waits.
    if (ready_ || !waiting_.empty() || running_ >= limits_.running || unimportant_running_ >= limits_.unimportant_running)
        return offer_result::busy;
    ready_ = std::move(c);
    return offer_result::accepted;
}

std::optional<hook_call> hook_queue::next() {
    if (running_ >= limits_.running) return std::nullopt;
    std::optional<hook_call> out;
    if (!waiting_.empty()) {
        out = std::move(waiting_.front());
        waiting_.pop_front();
    } else if (ready_) {
        out = std::move(ready_);
        ready_.reset();
        ++unimportant_running_;
    } else {
        return std::nullopt;
    }
    ++running_;
    return out;
}

void hook_queue::finished(bool important) {
    if (running_ > 0) --running_;
    if (!important && unimportant_running_ > 0) --unimportant_running_;
}

std::string printable_output(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    auto escape = [&](unsigned char c) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
    };
    for (std::size_t i = 0; i < raw.size();) {
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) escape(c);
            else out += char(c);
            ++i;
            continue;
        }
        // A UTF-8 sequence: its length from the lead byte, each next byte
        // 10xxxxxx, no overlong form, no surrogate, nothing past U+10FFFF.
        std::size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        bool ok = len != 0 && i + len <= raw.size();
        for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(raw[i + k]) & 0xc0) == 0x80;
        if (ok && len >= 3) {
            const auto c1 = static_cast<unsigned char>(raw[i + 1]);
            if (c == 0xe0 && c1 < 0xa0) ok = false;   // overlong
            if (c == 0xed && c1 >= 0xa0) ok = false;  // surrogate
            if (c == 0xf0 && c1 < 0x90) ok = false;   // overlong
            if (c == 0xf4 && c1 >= 0x90) ok = false;  // past U+10FFFF
        }
        if (!ok) {
            escape(c);
            ++i;
            continue;
        }
        out.append(raw.substr(i, len));
        i += len;
    }
    return out;
}

}  // namespace faild
