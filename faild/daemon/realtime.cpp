// DOC: realtime — see realtime.hpp.
#include "faild/daemon/realtime.hpp"

#include "faild/core/memory_lock.hpp"
#include "platform/platform.hpp"

namespace faild {

namespace {

/// --lock-memory: "" when locked (or not asked for), else why not.
std::string lock(const options& opts, const emitter& emit) {
    if (!opts.lock_memory) return "";
    const memory_facts facts = platform::memory_lock_facts();
    const memory_lock_plan plan = plan_memory_lock(facts);
    std::string error = plan.refusal;
    if (plan.lock && platform::lock_memory(error)) {
        emit(event("daemon", severity::info, "memory_locked")
                 .kv("mapped_mib", static_cast<long long>(facts.mapped >> 20))
                 .kv("limit", facts.limit ? std::to_string(*facts.limit >> 20) + "MiB" : "unlimited"));
        return "";
    }
    emit(event("daemon", severity::warning, "memory_lock_unavailable").kv("error", error));
    return error;
}

/// --realtime: "" when it was had (or not asked for), else why not.
std::string schedule(const options& opts, const emitter& emit) {
    if (opts.realtime_priority == 0) return "";
    std::string error;
    if (platform::set_realtime(opts.realtime_priority, error)) {
        emit(event("daemon", severity::info, "realtime")
                 .kv("policy", "SCHED_RR")
                 .kv("priority", opts.realtime_priority)
                 .kv("reset_on_fork", "yes"));
        return "";
    }
    emit(event("daemon", severity::warning, "realtime_unavailable")
             .kv("priority", opts.realtime_priority)
             .kv("error", error)
             .kv("running", platform::scheduling_text()));
    return error;
}

}  // namespace

bool apply_realtime(const options& opts, const emitter& emit, std::string& error) {
    const std::string locked = lock(opts, emit);
    const std::string scheduled = schedule(opts, emit);
    if (!opts.require_realtime) return true;
    error = !locked.empty() ? "--require-realtime: " + locked : !scheduled.empty() ? "--require-realtime: " + scheduled : "";
    return error.empty();
}

}  // namespace faild
