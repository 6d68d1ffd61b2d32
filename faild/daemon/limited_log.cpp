// DOC: limited_log — see limited_log.hpp.
#include "faild/daemon/limited_log.hpp"

#include "faild/daemon/log.hpp"
#include "faild/daemon/loop.hpp"

#include <algorithm>

namespace faild {

void limited_log::write(const std::string& kind, event e) {
    if (limit_.note(kind, now()))
        logging::write(e.kv("note", "first of its kind; later ones are counted in a line a minute at most"));
    latest_.insert_or_assign(kind, std::move(e));
    arm();
}

void limited_log::arm() {
    auto next = limit_.next_due();
    if (!next || armed_) return;
    armed_ = true;
    timer_.expires_after(std::max<duration>(*next - now(), duration(0)));
    timer_.async_wait([this](boost::system::error_code ec) {
        armed_ = false;
        if (ec || stopping_) return;
        for (const auto& l : limit_.due(now())) {
            auto it = latest_.find(l.kind);
            if (it == latest_.end()) continue;
            const event& latest = it->second;
            event e(latest.module, latest.level, latest.name);
            if (auto reason = latest.get("reason"); !reason.empty()) e.kv("reason", reason);
            e.kv("count", static_cast<long long>(l.count));
            e.kv("seconds", std::chrono::duration_cast<std::chrono::seconds>(l.over).count());
            for (const char* key : {"call", "error"})
                if (auto v = latest.get(key); !v.empty()) e.kv(key, v);
            e.kv("note", "since the last line; the rest: the latest");
            logging::write(e);
        }
        arm();
    });
}

}  // namespace faild
