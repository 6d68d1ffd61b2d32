#include "faild/core/address_book.hpp"

#include "faild/core/wire.hpp"

#include <algorithm>
#include <sstream>

namespace faild {

std::pair<ip_address, std::string> address_book::key(const ip_address& a, const std::string& lan) {
    // A global address names one host wherever it is heard; a link-local
    // one only on its own link (fe80::1 may be on every LAN).
    return {a, a.is_link_local() ? lan : std::string()};
}

address_book::outcome address_book::record(const std::string& owner, const ip_address& a, const std::string& lan,
                                           timestamp now, const std::function<bool(const std::string&)>& holds) {
    auto [it, fresh] = proofs_.try_emplace(key(a, lan));
    address_proof& p = it->second;
    if (!fresh && p.owner != owner) {
        const bool held = p.active ? holds(p.owner) : now < p.holds_until;
        if (held) return outcome::refused;
    }
    const bool renewed = !fresh && p.owner == owner;
    const bool reactivate = renewed && !p.active;
    if (!renewed || !p.active || p.lan != lan) changed_ = true;
    p.owner = owner;
    p.lan = lan;
    p.active = true;
    p.holds_until = timestamp(-1);
    p.proven_at = now;
    if (reactivate)  // the same node as before: everything it proved then counts again
        for (auto& [k, q] : proofs_)
            if (q.owner == owner && !q.active) {
                q.active = true;
                q.holds_until = timestamp(-1);
            }
    if (fresh) trim();
    return renewed ? outcome::renewed : outcome::recorded;
}

bool address_book::proven(const std::string& owner, const ip_address& a, const std::string& lan) const {
    const address_proof* p = find(a, lan);
    return p && p->active && p->owner == owner;
}

const address_proof* address_book::find(const ip_address& a, const std::string& lan) const {
    auto it = proofs_.find(key(a, lan));
    return it == proofs_.end() ? nullptr : &it->second;
}

bool address_book::proven_by_other(const std::string& owner, const ip_address& a, const std::string& lan) const {
    const address_proof* p = find(a, lan);
    return p && p->owner != owner;
}

void address_book::forget(const std::string& owner) {
    for (auto& [k, p] : proofs_)
        if (p.owner == owner && (p.active || p.holds_until.count() >= 0)) {
            p.active = false;
            p.holds_until = timestamp(-1);
            changed_ = true;
        }
}

bool address_book::take_changed() {
    bool c = changed_;
    changed_ = false;
    return c;
}

void address_book::trim() {
    while (proofs_.size() > max_proofs) {
        // The dormant proof proven longest ago, else the oldest of all.
        auto victim = proofs_.end();
        for (auto it = proofs_.begin(); it != proofs_.end(); ++it) {
            if (victim == proofs_.end()) {
                victim = it;
                continue;
            }
            const auto& v = victim->second;
            const auto& c = it->second;
            if ((!c.active && v.active) || (c.active == v.active && c.proven_at < v.proven_at)) victim = it;
        }
        proofs_.erase(victim);
        changed_ = true;
    }
}

std::string address_book::to_text() const {
    std::string out = "# faild address proofs: address lan owner state (written by faild, read at its start)\n";
    for (const auto& [k, p] : proofs_)
        out += k.first.to_string() + " " + p.lan + " " + p.owner + " " + (p.active ? "active" : "dormant") + "\n";
    return out;
}

void address_book::from_text(const std::string& text, timestamp hold_until, std::size_t& skipped) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string addr, lan, owner, state, extra;
        fields >> addr >> lan >> owner >> state;
        auto a = ip_address::parse(addr);
        if (!a || lan.empty() || lan.size() > 15 || !wire::valid_node_id(owner) ||
            (state != "active" && state != "dormant") || (fields >> extra)) {
            ++skipped;
            continue;
        }
        address_proof p;
        p.owner = owner;
        p.lan = lan;
        p.active = false;
        p.holds_until = state == "active" ? hold_until : timestamp(-1);
        proofs_[key(*a, lan)] = p;
    }
    trim();
    changed_ = false;
}

}  // namespace faild
