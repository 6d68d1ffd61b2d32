// DOC: netlink_link_monitor — see netlink_link_monitor.hpp.
//
// Measured on this kernel (6.18): a new IPv6 address without `nodad`
// arrives as RTM_NEWADDR with IFA_F_TENTATIVE, and ~1-2 s later (DAD: a
// random delay up to 1 s, then one probe and 1 s of silence) a second
// RTM_NEWADDR without it. Carrier loss at the far end of a veth is one
// RTM_NEWLINK for our end. Setting disable_ipv6=1 sends RTM_DELADDR for
// every IPv6 address of the interface and no link notification.
#include "platform/linux/netlink_link_monitor.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace faild::platform {

namespace {

/// Reads per drain() before it gives up and reports a change: a kernel that
/// never stops sending must not keep the event loop in here. The fd stays
/// readable, so the loop comes back for the rest.
constexpr int max_reads_per_drain = 8192;

/// Largest notification read whole. Link messages with many VFs can exceed
/// it; a truncated one still counts as a change.
constexpr std::size_t buffer_size = 64 * 1024;

bool is_link_or_address(std::uint16_t type) {
    return type == RTM_NEWLINK || type == RTM_DELLINK || type == RTM_NEWADDR || type == RTM_DELADDR;
}

}  // namespace

netlink_link_monitor::netlink_link_monitor(int fd) : fd_(fd), buf_(buffer_size) {}

netlink_link_monitor::~netlink_link_monitor() { close(fd_); }

std::unique_ptr<netlink_link_monitor> netlink_link_monitor::open(std::string& error, int receive_buffer) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        error = std::string("netlink socket for link events: ") + std::strerror(errno);
        return nullptr;
    }
    // Best effort: a smaller buffer only means an earlier overflow, which
    // drain() handles. FORCE passes net.core.rmem_max but needs
    // CAP_NET_ADMIN, which faild has whenever it changes routes.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);

    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_pid = 0;  // the kernel picks a unique port id
    local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        error = std::string("netlink subscription to link and address events: ") + std::strerror(errno);
        close(fd);
        return nullptr;
    }
    return std::unique_ptr<netlink_link_monitor>(new netlink_link_monitor(fd));
}

bool netlink_link_monitor::drain() {
    bool changed = false;
    for (int reads = 0; reads < max_reads_per_drain;) {
        sockaddr_nl from{};
        iovec iov{buf_.data(), buf_.size()};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return changed;
            // ENOBUFS: the buffer overflowed and notifications were lost;
            // reported once, the queued ones still follow. Anything else is
            // unexpected: say "changed" so the caller re-reads the truth.
            if (errno != ENOBUFS) return true;
            changed = true;
            ++reads;
            continue;
        }
        ++reads;
        if (from.nl_pid != 0) continue;  // only the kernel's word counts
        if (msg.msg_flags & MSG_TRUNC) {
            changed = true;
            continue;
        }
        int left = int(n);
        for (auto* h = reinterpret_cast<const nlmsghdr*>(buf_.data()); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
            if (is_link_or_address(h->nlmsg_type)) changed = true;
    }
    return true;  // more may be waiting: see max_reads_per_drain
}

std::unique_ptr<link_monitor> make_link_monitor(std::string& error) { return netlink_link_monitor::open(error); }

}  // namespace faild::platform
