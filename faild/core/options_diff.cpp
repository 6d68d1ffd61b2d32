// DOC: options_diff — see options_diff.hpp.
#include "faild/core/options_diff.hpp"

#include <algorithm>

namespace faild {

namespace {

/// One setting: its key in faild.conf, and whether two options agree on it.
struct setting {
    const char* key;
    bool (*same)(const options&, const options&);
};

#define FAILD_SAME(field) [](const options& a, const options& b) { return a.field == b.field; }

// Every setting faild.conf and the command line can set (describe() prints
// them); options_diff_test checks that none is missing.
const setting settings[] = {
    {"requestor", FAILD_SAME(requestor)},
    {"interval", FAILD_SAME(interval)},
    {"fail", FAILD_SAME(fail_after)},
    {"succeed", FAILD_SAME(up_after)},
    {"port", FAILD_SAME(port)},
    {"log", FAILD_SAME(log_file)},
    {"interfaces", FAILD_SAME(interfaces)},
    {"node-id", FAILD_SAME(node_id)},
    {"loose-rp-filter", FAILD_SAME(loose_rp_filter)},
    {"notify", FAILD_SAME(notify)},
    {"notify-timeout", FAILD_SAME(notify_timeout)},
    {"control-socket", FAILD_SAME(control_socket)},
    {"dry-run", FAILD_SAME(dry_run)},
    {"key-file", FAILD_SAME(key_file)},
    {"damping", FAILD_SAME(damping.enabled)},
    {"damping-penalty", FAILD_SAME(damping.penalty)},
    {"damping-half-life", FAILD_SAME(damping.half_life)},
    {"damping-suppress", FAILD_SAME(damping.suppress)},
    {"damping-reuse", FAILD_SAME(damping.reuse)},
    {"fast-confirm", FAILD_SAME(fast_confirm)},
    {"fast-confirm-floor", FAILD_SAME(fast_confirm_floor)},
    {"mutual", FAILD_SAME(mutual)},
    {"align-rounds", FAILD_SAME(align_rounds)},
    {"unicast-inq", FAILD_SAME(unicast_inq)},
    {"state-file", FAILD_SAME(state_file)},
    {"wire-v1", FAILD_SAME(wire_v1)},
    {"table", FAILD_SAME(table)},
    {"route-protocol", FAILD_SAME(route_protocol)},
    {"realtime", FAILD_SAME(realtime_priority)},
    {"lock-memory", FAILD_SAME(lock_memory)},
    {"require-realtime", FAILD_SAME(require_realtime)},
    {"test-round-seq-limit", FAILD_SAME(round_seq_limit)},
};

#undef FAILD_SAME

bool applied_at_once(const std::string& key) { return key == "notify" || key == "notify-timeout"; }

}  // namespace

std::vector<std::string> changed_settings(const options& before, const options& after) {
    std::vector<std::string> changed;
    for (const auto& s : settings)
        if (!s.same(before, after)) changed.emplace_back(s.key);
    std::sort(changed.begin(), changed.end());
    return changed;
}

reload_plan plan_reload(const options& running, const options& fresh) {
    reload_plan plan;
    for (auto& key : changed_settings(running, fresh)) {
        if (applied_at_once(key)) plan.apply_notify = true;
        else plan.needs_restart.push_back(std::move(key));
    }
    return plan;
}

}  // namespace faild
