// DOC: reload — see reload.hpp.
#include "faild/daemon/reload.hpp"

#include "faild/core/options_diff.hpp"

namespace faild {

void reload(options& running, const std::vector<std::string>& args, const emitter& emit) {
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    auto parsed = parse_options(int(argv.size()), argv.data());
    if (!parsed.opts) {
        emit(event("daemon", severity::error, "reload_failed").kv("error", parsed.err));
        return;
    }
    const reload_plan plan = plan_reload(running, *parsed.opts);
    running.notify = parsed.opts->notify;
    running.notify_timeout = parsed.opts->notify_timeout;
    std::string needs_restart;
    for (const auto& key : plan.needs_restart) needs_restart += (needs_restart.empty() ? "" : ",") + key;
    event e("daemon", severity::info, "reloaded");
    e.kv("notify", running.notify.empty() ? "none" : running.notify);
    e.kv("notify_timeout", format_seconds(running.notify_timeout));
    e.kv("applied", plan.apply_notify ? "notify" : "nothing");
    if (!needs_restart.empty()) e.kv("needs_restart", needs_restart);
    emit(e);
}

}  // namespace faild
