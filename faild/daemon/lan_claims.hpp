// DOC: lan_claims — faild's claims on its LANs in its routing table
// (platform::lock_interface), held while it runs: two instances whose
// interfaces overlap in one table would fight over the same destinations.
// At start every LAN is claimed or faild refuses to run; a LAN that appears
// while running is monitored only if no other faild holds it (said once
// per name). A dry run writes no routes: it claims nothing.
#pragma once

#include "faild/core/options.hpp"
#include "faild/core/peer_table.hpp"
#include "faild/daemon/loop.hpp"
#include "platform/platform.hpp"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace faild {

class lan_claims {
public:
    lan_claims(const options& opts, emitter emit) : opts_(opts), emit_(std::move(emit)) {}

    /// Claims every LAN: false, with `error` naming the other faild, when
    /// one that writes routes into the same table monitors one of them.
    bool claim_all(const std::vector<lan>& lans, std::string& error);
    /// A LAN that appeared while running: true when it is ours (claimed
    /// now or before); false, logged once per name (lan_taken), when
    /// another faild holds it.
    bool claim_new(const std::string& name);
    /// The LAN left the list: no longer ours to claim in our table.
    void release(const std::string& name) { claims_.erase(name); }

private:
    /// What a refused instance reads about us.
    std::string holder() const;

    const options& opts_;
    emitter emit_;
    std::map<std::string, std::unique_ptr<platform::interface_lock>> claims_;  ///< our LANs in our table
    std::set<std::string> unclaimed_;  ///< appeared while running, another faild's: said once
};

}  // namespace faild
