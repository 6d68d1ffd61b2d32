// DOC: link_watch — keeps the engine's LANs in step with the interfaces.
//
//   netlink (link_monitor) ─readable─> drain ─> refresh():
//     links_->list() ─> diff_lans (core: pure) ─> apply, in order:
//       per LAN: link_gone / link_back (sockets closed / opened anew),
//                link_up / link_down, addresses_changed
//       LANs added while running and gone again: lan_removed (from the end)
//       new eligible interfaces (no -i list): claimed, rp_filter, lan_added
//     ─> engine.update_lans ─> missing sockets opened ─> handle(out)
//
// A lost notification costs nothing but one more full read. It also logs
// each dadfailed address once, and once more when it is gone.
#pragma once

#include "faild/core/engine.hpp"
#include "faild/core/lan_diff.hpp"
#include "faild/core/options.hpp"
#include "faild/daemon/lan_claims.hpp"
#include "faild/daemon/lan_sockets.hpp"
#include "faild/daemon/loop.hpp"
#include "platform/platform.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>
#include <memory>
#include <set>
#include <vector>

namespace faild {

class link_watch {
public:
    /// Watches `monitor`, reads `links`; the engine's LANs at this point
    /// are the ones at start (never dropped). `handle` gets the engine's
    /// output after a change of the LANs; `stopping` is the daemon's flag.
    link_watch(boost::asio::io_context& io, engine& eng, lan_sockets& sockets, lan_claims& claims,
               const options& opts, std::unique_ptr<platform::link_source> links,
               std::unique_ptr<platform::link_monitor> monitor, emitter emit,
               std::function<void(engine_output&)> handle, const bool& stopping);
    ~link_watch();

    /// Starts waiting for link and address changes.
    void start();
    /// Links or addresses changed: read them all again and hand the core
    /// the new picture, then re-plan routes.
    void refresh();
    /// Whether the last of `count` LANs may go (lan_diff's droppable()).
    bool droppable(std::size_t count) const;
    /// Logs each dadfailed address of `ifs` on our LANs once, and once
    /// more when it is gone.
    void note_dadfailed(const std::vector<interface_info>& ifs);

private:
    void wait_monitor();
    lan_rules rules() const { return {!opts_.interfaces.empty(), startup_lans_}; }
    bool apply_updates(const lan_diff& diff, std::vector<lan>& lans);
    bool drop_gone(std::size_t kept, std::vector<lan>& lans);
    bool add_new(const std::vector<interface_info>& added, std::vector<lan>& lans);
    void hand_over(const std::vector<lan>& lans, const std::vector<interface_info>& all);
    void check_rp_filter(const std::string& name);

    engine& engine_;
    lan_sockets& sockets_;
    lan_claims& claims_;
    const options& opts_;
    std::unique_ptr<platform::link_source> links_;
    std::unique_ptr<platform::link_monitor> monitor_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> monitor_fd_;
    emitter emit_;
    std::function<void(engine_output&)> handle_;
    const bool& stopping_;
    std::vector<bool> present_;                    ///< per LAN: its interface exists (by name)
    std::vector<std::set<ip_address>> dadfailed_;  ///< per LAN: addresses logged as dadfailed, until they go
    std::size_t startup_lans_;                     ///< LANs at start: never dropped
};

}  // namespace faild
