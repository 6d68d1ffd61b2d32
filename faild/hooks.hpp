// DOC: hooks — which events run the notify program, and with what.
//
//   PROGRAM EVENT PEER LAN FAMILY
//   FAILD_EVENT FAILD_PEER FAILD_LAN FAILD_FAMILY FAILD_NODE_ID, and
//   FAILD_REASON (path_down), FAILD_ROUTE (failover, switchback: the route)
//
// Events: path_down, path_up, failover (a route went in), switchback (a
// route came out because the path is back), peer_lost. The daemon runs the
// program asynchronously with a timeout; this part only decides.
#pragma once

#include "faild/event.hpp"
#include "faild/peer_table.hpp"

#include <optional>
#include <string>
#include <vector>

namespace faild {

struct hook_call {
    std::vector<std::string> args;  ///< EVENT PEER LAN FAMILY (after the program)
    std::vector<std::string> env;   ///< "FAILD_EVENT=path_down", ...
};

/// The hook call for `e`, or nullopt when the event runs no hook. Route
/// events name their peer and LAN by the destination address.
std::optional<hook_call> hook_for(const event& e, const std::string& node_id, const std::vector<lan>& lans,
                                  const peer_map& peers);

}  // namespace faild
