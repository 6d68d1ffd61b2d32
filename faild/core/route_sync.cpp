#include "faild/core/route_sync.hpp"

#include <algorithm>

namespace faild {

namespace {
constexpr duration min_period = ms(50);
constexpr duration max_period = ms(30'000);
constexpr duration idle_period = ms(10'000);
}  // namespace

route_sync::route_sync(platform::route_table& table, duration interval, unsigned fail_after)
    : rec_(table, std::max(interval, min_period)),
      table_(table),
      base_(std::max(interval, min_period)),
      window_(interval * (fail_after + 2)),
      period_(base_) {}

bool route_sync::start(const route_set& plan, timestamp now, effect_list& out) {
    std::string error;
    if (auto found = table_.list(error); found && !found->empty()) {
        adopted_ = std::move(*found);
        adopt_until_ = now + window_;
        out.push_back(fx::routes_adopted{adopted_.size(), window_});
    }
    return sync(plan, "stale", now, out);
}

bool route_sync::close_adoption(timestamp now) {
    if (adopted_.empty() || now < adopt_until_) return false;
    adopted_.clear();
    return true;
}

route_set route_sync::desired(const route_set& plan, timestamp now) const {
    route_set want = plan;
    if (now < adopt_until_)
        for (const auto& [dst, r] : adopted_) want.emplace(dst, r);
    return want;
}

bool route_sync::sync(const route_set& plan, const char* why, timestamp now, effect_list& out) {
    if (close_adoption(now)) why = "stale";  // what it kept goes as stale
    const bool ok = rec_.reconcile(desired(plan, now), why, out);
    note(rec_.table_readable());
    return ok;
}

bool route_sync::repair(const route_set& plan, timestamp now, effect_list& out) {
    if (!adopted_.empty() && now >= adopt_until_) return sync(plan, "stale", now, out);
    const bool ok = rec_.repair(desired(plan, now), now, out);
    note(rec_.table_readable());
    return ok;
}

bool route_sync::stop(effect_list& out) {
    adopted_.clear();
    return rec_.reconcile({}, "shutdown", out);
}

void route_sync::note(bool table_readable) {
    period_ = table_readable ? base_ : std::min(period_ * 2, max_period);
}

bool route_sync::watching(const route_set& plan) const {
    return !(rec_.installed().empty() && adopted_.empty() && plan.empty());
}

duration route_sync::period(const route_set& plan) const {
    return watching(plan) ? period_ : std::max(period_, idle_period);
}

}  // namespace faild
