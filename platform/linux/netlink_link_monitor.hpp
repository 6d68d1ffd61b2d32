// DOC: netlink_link_monitor — tells the daemon when links or addresses may
// have changed, from the kernel's rtnetlink notifications.
//
// A plain socket(AF_NETLINK, NETLINK_ROUTE), not libnl: it only has to read
// message types, never parse objects, and a bare non-blocking recvmsg loop
// shows plainly what happens on overflow. It is bound to the groups
// RTNLGRP_LINK (RTM_NEWLINK/DELLINK: flags, carrier, operstate),
// RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR (RTM_NEWADDR/DELADDR; IPv6
// reports the tentative flag clearing after DAD as a further RTM_NEWADDR).
// Notifications carry no sequence numbers worth checking: any one of them
// just means "dump again".
//
// The receive buffer is 4 MiB (SO_RCVBUFFORCE with CAP_NET_ADMIN, else
// SO_RCVBUF up to net.core.rmem_max). When it overflows the kernel drops
// notifications and the next read fails once with ENOBUFS; drain() reports
// that as a change, because only a fresh dump tells what was lost.
//
// The socket watches the network namespace the calling thread is in when
// it is opened. The monitor owns the descriptor and closes it when
// destroyed: an event loop wrapping fd() must release it first.
#pragma once

#include "platform/platform.hpp"

#include <vector>

namespace faild::platform {

class netlink_link_monitor final : public link_monitor {
public:
    static constexpr int default_receive_buffer = 4 << 20;

    /// nullptr and `error` when the socket cannot be opened or subscribed.
    /// `receive_buffer` (bytes) is a request: the kernel doubles it for its
    /// bookkeeping and keeps it above a small minimum; tests shrink it to
    /// provoke an overflow.
    static std::unique_ptr<netlink_link_monitor> open(std::string& error,
                                                      int receive_buffer = default_receive_buffer);
    ~netlink_link_monitor() override;
    netlink_link_monitor(const netlink_link_monitor&) = delete;
    netlink_link_monitor& operator=(const netlink_link_monitor&) = delete;

    int fd() const override { return fd_; }
    bool drain() override;

private:
    explicit netlink_link_monitor(int fd);

    int fd_;
    std::vector<char> buf_;  // one notification at a time; allocated once
};

}  // namespace faild::platform
