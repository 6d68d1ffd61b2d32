#include "faild/reconciler.hpp"

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

bool reconciler::reconcile(const route_set& desired, const char* why, event_list& events) {
    return apply(desired, why, false, events);
}

bool reconciler::repair(const route_set& desired, event_list& events) { return apply(desired, "repair", true, events); }

bool reconciler::apply(const route_set& desired, const char* why, bool repairing, event_list& events) {
    std::string error;
    auto listed = table_.list(error);
    if (!listed) {
        events.emplace_back("route", severity::error, "route_table_unreadable").kv("error", error);
        return false;
    }
    // What we believed installed: a desired route that was there and is
    // now missing was removed by someone else, whoever notices it.
    const route_set believed = std::move(installed_);
    installed_ = std::move(*listed);
    bool all_ok = true;
    const auto changes = diff_routes(desired, installed_);
    if (changes.empty()) return true;
    // One batch for the whole run: every route an event affects reaches the
    // kernel together, and each change is still reported on its own.
    auto results = table_.apply(changes);
    for (std::size_t i = 0; i < changes.size(); ++i) {
        const auto& change = changes[i];
        const platform::op_result res =
            i < results.size() ? std::move(results[i]) : platform::op_result{"no result from the route table"};
        if (!res.ok()) {
            all_ok = false;
            events.emplace_back("route", severity::error, "route_failed")
                .kv("op", to_string(change.op))
                .raw(change.r.to_kv())
                .kv("error", res.error);
            continue;
        }
        switch (change.op) {
        case route_change::kind::add:
            installed_[change.r.dst] = change.r;
            if (auto was = believed.find(change.r.dst); repairing || (was != believed.end() && was->second == change.r))
                events.emplace_back("route", severity::warning, "route_restored")
                    .raw(change.r.to_kv())
                    .kv("note", "a faild route was removed by something else; put back");
            else
                events.emplace_back("route", severity::info, "route_added").raw(change.r.to_kv());
            break;
        case route_change::kind::replace:
            installed_[change.r.dst] = change.r;
            events.emplace_back("route", severity::info, "route_replaced").raw(change.r.to_kv());
            break;
        case route_change::kind::remove:
            installed_.erase(change.r.dst);
            events.emplace_back("route", severity::info, "route_removed").raw(change.r.to_kv()).kv("reason", why);
            break;
        }
    }
    return all_ok;
}

}  // namespace faild
