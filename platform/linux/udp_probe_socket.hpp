// DOC: udp_probe_socket — the UDP socket that carries faild's probes on one
// interface and one address family.
//
// Bound to the wildcard address and faild's port, and to the interface with
// SO_BINDTODEVICE (set before bind). The device binding is what keeps a dead
// LAN looking dead: without it, or with only a source address bound, replies
// follow faild's own failover route out of the other LAN, and datagrams for
// our LAN-A address that arrive over LAN B are accepted. Sockets on other
// interfaces can share the port, because the kernel only sees a conflict
// between sockets bound to the same device (or to none).
//
// IPv6 sockets join the probe group (a link-scope multicast address such as
// ff02::fa1d) on their own interface only, send multicast out of it with hop
// limit 255 and do not loop it back. They also receive ff02::1 and any group
// another socket joined on the interface (IPV6_MULTICAST_ALL stays on);
// the device binding keeps other interfaces' traffic out. An interface
// without usable IPv6 is refused at open with a plain sentence, because the
// kernel itself would not say: with disable_ipv6=1 the join and
// IPV6_MULTICAST_IF succeed and only sends fail (ENETUNREACH).
#pragma once

#include "platform/platform.hpp"

namespace faild::platform {

class udp_probe_socket final : public probe_socket {
public:
    /// nullptr and `error` on failure; see open_probe_socket().
    static std::unique_ptr<udp_probe_socket> open(const std::string& ifname, family fam, std::uint16_t port,
                                                  std::string& error, const ip_address* group = nullptr);
    ~udp_probe_socket() override;
    udp_probe_socket(const udp_probe_socket&) = delete;
    udp_probe_socket& operator=(const udp_probe_socket&) = delete;

    int fd() const override { return fd_; }
    bool send_to(const ip_address& dst, std::uint16_t port, const std::uint8_t* data, std::size_t size,
                 std::string& error) override;
    std::optional<datagram> receive(std::uint8_t* buf, std::size_t cap) override;
    /// A classic BPF socket filter (SO_ATTACH_FILTER): the kernel drops a
    /// matching datagram before it is queued, so it wakes nobody.
    bool drop_matching(const std::vector<payload_field>& fields) override;

protected:
    batch_view read_batch() override;

private:
    /// What recvmmsg() fills: one buffer of wire::max_size (the largest
    /// valid probe; anything longer is cut and reported as oversize),
    /// address and control space per datagram. Allocated at the first batch.
    struct batch_storage;
    std::unique_ptr<batch_storage> batch_;

    udp_probe_socket(int fd, family fam, int ifindex, std::string ifname)
        : fd_(fd), fam_(fam), ifindex_(ifindex), ifname_(std::move(ifname)) {}

    int fd_;
    family fam_;
    int ifindex_;
    std::string ifname_;
};

}  // namespace faild::platform
