// DOC: startup — everything faild works out and opens before its loop
// runs, in this order, each failure a fatal line (exit 1):
//
//   links ─> the interfaces (-i, or every eligible one: lan_diff)
//         ─> their rp_filter (strict refuses, or --loose-rp-filter sets 2)
//         ─> the link monitor, the route table (the kernel's, or the null
//            table of a dry run), the probe timer
//         ─> the engine's settings from the options: node id (default:
//            hostname and a hash of machine-id and MACs), incarnation,
//            sequence seed, the wall clock's offset for aligned rounds
//         ─> the state file's path, and the proofs of the run before
//
// It also says what the start line and each LAN's line report, and checks
// the process's privileges before any of this (main).
#pragma once

#include "faild/core/engine.hpp"
#include "faild/core/interface_info.hpp"
#include "faild/core/options.hpp"
#include "platform/platform.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace faild {

/// What start-up opened and worked out, for the daemon to take over.
struct start_kit {
    std::vector<interface_info> ifs;     ///< the monitored interfaces, as read
    std::vector<lan> lans;               ///< the same, as the core's LANs
    std::vector<std::string> loosened;   ///< interfaces whose rp_filter faild set to 2
    std::unique_ptr<platform::link_source> links;
    std::unique_ptr<platform::link_monitor> monitor;
    std::unique_ptr<platform::route_table> table;
    std::unique_ptr<platform::wakeup_timer> wakeup;
    engine_config cfg;
    std::string state_path;  ///< the address proofs' state file; empty: none
};

/// All of the above; nullopt and `error` (the fatal line's text) when faild
/// cannot run.
std::optional<start_kit> prepare_start(const options& opts, std::string& error);

/// The engine's settings from the options; `ifs` name the default node id.
engine_config engine_settings(const options& opts, const std::vector<interface_info>& ifs);

/// Default node id: the hostname plus a hash of /etc/machine-id and the
/// monitored interfaces' MAC addresses, so two network namespaces of one
/// machine (same hostname, same machine-id) still get distinct ids.
std::string default_node_id(const std::vector<interface_info>& lans);

/// The proofs' state file: --state-file, none (""), or by default the
/// control socket's path with .state.
std::string state_file_path(const options& opts);

/// event=start: version, node id, settings, LANs, files, control socket.
event start_line(const options& opts, const engine& eng, const std::string& control);
/// event=lan: one monitored LAN at start (`ipv6`: it has an IPv6 socket).
event lan_line(const lan& l, bool ipv6);

/// Why faild may not run as it is (CAP_NET_ADMIN or CAP_NET_RAW missing),
/// or "" when it may.
std::string missing_privileges();

}  // namespace faild
