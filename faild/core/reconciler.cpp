#include "faild/core/reconciler.hpp"

#include <algorithm>
#include <iterator>

namespace faild {

const char* to_string(route_change::kind k) {
    switch (k) {
    case route_change::kind::add: return "add";
    case route_change::kind::replace: return "replace";
    case route_change::kind::remove: return "remove";
    }
    return "?";
}

std::vector<route_change> diff_routes(const route_set& desired, const route_set& installed) {
    std::vector<route_change> out;
    for (const auto& [dst, r] : installed)
        if (!desired.count(dst)) out.push_back({route_change::kind::remove, r});
    for (const auto& [dst, r] : desired) {
        auto it = installed.find(dst);
        if (it != installed.end() && it->second != r) out.push_back({route_change::kind::replace, r});
    }
    for (const auto& [dst, r] : desired)
        if (!installed.count(dst)) out.push_back({route_change::kind::add, r});
    return out;
}

bool reconciler::reconcile(const route_set& desired, sync_reason why, effect_list& out) {
    return apply(desired, why, std::nullopt, out);
}

bool reconciler::repair(const route_set& desired, timestamp now, effect_list& out) {
    return apply(desired, sync_reason::repair, now, out);
}

namespace {

fx::route_failed::op failed_op(route_change::kind k) {
    switch (k) {
    case route_change::kind::add: return fx::route_failed::op::add;
    case route_change::kind::replace: return fx::route_failed::op::replace;
    case route_change::kind::remove: return fx::route_failed::op::remove;
    }
    return fx::route_failed::op::add;
}

}  // namespace

bool reconciler::apply(const route_set& desired, sync_reason why, std::optional<timestamp> repair_at,
                       effect_list& out) {
    const bool repairing = repair_at.has_value();
    std::string error;
    auto listed = table_.list(error);
    readable_ = listed.has_value();
    if (!listed) {
        out.push_back(fx::route_table_unreadable{error});
        return false;
    }
    // What we believed installed: a desired route that was there and is
    // now missing was removed by someone else, whoever notices it.
    const route_set believed = std::move(installed_);
    installed_ = std::move(*listed);
    bool all_ok = true;
    for (const auto& [dst, r] : desired)
        if (!r.peer.empty()) peer_of_[dst] = r.peer;
    auto changes = diff_routes(desired, installed_);
    // A destination that needs no change any more waits no longer.
    backoff_.keep_only([&](const ip_address& dst) {
        return std::any_of(changes.begin(), changes.end(), [&](const route_change& c) { return c.r.dst == dst; });
    });
    // The repair leaves alone, for now, what the table refused before and
    // whose wait has not passed: only those wait, the others go at once.
    if (repairing)
        changes.erase(std::remove_if(changes.begin(), changes.end(),
                                     [&](const route_change& c) { return !backoff_.due(c.r.dst, *repair_at); }),
                      changes.end());
    // Only the peers of destinations still wanted or installed are kept.
    for (auto it = peer_of_.begin(); it != peer_of_.end();)
        it = desired.count(it->first) || installed_.count(it->first) ? std::next(it) : peer_of_.erase(it);
    if (changes.empty()) return true;
    // One batch for the whole run: every route an event affects reaches the
    // kernel together, and each change is still reported on its own.
    auto results = table_.apply(changes);
    for (std::size_t i = 0; i < changes.size(); ++i) {
        const auto& change = changes[i];
        const op_result res =
            i < results.size() ? std::move(results[i]) : op_result{"no result from the route table"};
        if (!res.ok()) {
            all_ok = false;
            if (repairing) backoff_.failed(change.r.dst, *repair_at);
            out.push_back(fx::route_failed{failed_op(change.op), change.r, res.error});
            continue;
        }
        backoff_.clear(change.r.dst);
        note_done(change, desired, believed, why, repairing, out);
    }
    return all_ok;
}

void reconciler::note_done(const route_change& change, const route_set& desired, const route_set& believed,
                           sync_reason why, bool repairing, effect_list& out) {
    // The plan's peer for it, when it named one.
    const auto named = peer_of_.find(change.r.dst);
    const std::string peer = named != peer_of_.end() ? named->second : std::string();
    using op = fx::route_changed::op;
    switch (change.op) {
    case route_change::kind::add: {
        installed_[change.r.dst] = change.r;
        auto was = believed.find(change.r.dst);
        const bool put_back = repairing || (was != believed.end() && was->second == change.r);
        out.push_back(fx::route_changed{put_back ? op::restored : op::added, change.r, sync_reason::none, peer});
        break;
    }
    case route_change::kind::replace:
        installed_[change.r.dst] = change.r;
        out.push_back(fx::route_changed{op::replaced, change.r, sync_reason::none, peer});
        break;
    case route_change::kind::remove:
        installed_.erase(change.r.dst);
        out.push_back(fx::route_changed{op::removed, change.r, why, peer});
        if (!desired.count(change.r.dst)) peer_of_.erase(change.r.dst);
        break;
    }
}

}  // namespace faild
