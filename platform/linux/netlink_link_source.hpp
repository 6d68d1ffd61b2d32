// DOC: netlink_link_source — interfaces and their addresses, dumped from the
// kernel through libnl-route-3 (one link dump and one address dump per call).
#pragma once

#include "platform/linux/netlink_socket.hpp"
#include "platform/platform.hpp"

namespace faild::platform {

class netlink_link_source final : public link_source {
public:
    /// nullptr and `error` when the netlink socket cannot be opened.
    static std::unique_ptr<netlink_link_source> open(std::string& error);

    std::vector<interface_info> list(std::string& error) override;

private:
    netlink_link_source() = default;
    netlink_socket sock_;
};

}  // namespace faild::platform
