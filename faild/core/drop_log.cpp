#include "faild/core/drop_log.hpp"

#include <chrono>

namespace faild {

bool drop_log::first_of_kind(const char* module, severity level, const char* event, const char* reason,
                             std::optional<std::size_t> lan, const std::optional<ip_address>& from, timestamp now) {
    auto [it, fresh] = kinds_.try_emplace({event, reason ? reason : ""});
    kind& d = it->second;
    if (fresh) {
        d.module = module;
        d.level = level;
        d.line_at = now;
        return true;
    }
    ++d.pending;
    d.lan = lan;
    d.from = from;
    return false;
}

void drop_log::due_lines(timestamp now, const std::function<std::optional<std::string>(std::size_t)>& lan_name,
                         effect_list& out) {
    for (auto& [key, d] : kinds_) {
        if (d.pending == 0 || now - d.line_at < every) continue;
        fx::repeated r;
        r.module = d.module;
        r.level = d.level;
        r.event = std::string(key.first);
        r.reason = std::string(key.second);
        r.count = d.pending;
        r.seconds = std::chrono::duration_cast<std::chrono::seconds>(now - d.line_at).count();
        if (d.lan) r.lan = lan_name(*d.lan);
        r.from = d.from;
        out.push_back(std::move(r));
        d.pending = 0;
        d.line_at = now;
    }
}

void drop_log::forget_lans(const std::function<bool(std::size_t)>& gone) {
    for (auto& [key, d] : kinds_)
        if (d.lan && gone(*d.lan)) d.lan.reset();
}

bool line_budget::take(timestamp now, effect_list& out) {
    if (now - window_start_ >= ms(1000)) {
        if (held_back_) out.push_back(fx::log_suppressed{held_back_});
        window_start_ = now;
        used_ = held_back_ = 0;
    }
    if (used_ < per_second_) {
        ++used_;
        return true;
    }
    ++held_back_;
    return false;
}

}  // namespace faild
