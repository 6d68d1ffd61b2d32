// DOC: lan_claims — see lan_claims.hpp.
#include "faild/daemon/lan_claims.hpp"

#include <unistd.h>

namespace faild {

bool lan_claims::claim_all(const std::vector<lan>& lans, std::string& error) {
    if (opts_.dry_run) return true;
    for (const auto& l : lans) {
        auto lock = platform::lock_interface(platform::default_lock_dir(), opts_.table, l.name, holder(), error);
        if (!lock) return false;
        claims_[l.name] = std::move(lock);
    }
    return true;
}

bool lan_claims::claim_new(const std::string& name) {
    if (opts_.dry_run || claims_.count(name)) return true;
    std::string error;
    auto lock = platform::lock_interface(platform::default_lock_dir(), opts_.table, name, holder(), error);
    if (!lock) {
        if (unclaimed_.insert(name).second)
            emit_(event("lan", severity::warning, "lan_taken").kv("lan", name).kv("error", error));
        return false;
    }
    unclaimed_.erase(name);
    claims_[name] = std::move(lock);
    return true;
}

std::string lan_claims::holder() const {
    return "pid " + std::to_string(::getpid()) + ", control socket " +
           (opts_.control_socket.empty() ? platform::default_control_socket() : opts_.control_socket);
}

}  // namespace faild
