// DOC: udp_probe_socket — see udp_probe_socket.hpp.
#include "platform/linux/udp_probe_socket.hpp"

#include "faild/core/wire.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

namespace faild::platform {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

bool set_int(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

/// Scope of an IPv6 multicast address (the low nibble of its second byte):
/// 1 interface-local, 2 link-local, 5 site-local, 14 global.
int multicast_scope(const ip_address& a) { return a.data()[1] & 0x0f; }

/// The sockaddr for `a`:`port`; link-local and link-scope multicast IPv6
/// destinations get the socket's interface as scope (the device binding
/// alone would do, the explicit scope documents it; another scope would be
/// refused with EINVAL).
socklen_t to_sockaddr(const ip_address& a, std::uint16_t port, int ifindex, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    if (a.is_v4()) {
        auto& sin = reinterpret_cast<sockaddr_in&>(ss);
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        std::memcpy(&sin.sin_addr, a.data(), 4);
        return sizeof sin;
    }
    auto& sin6 = reinterpret_cast<sockaddr_in6&>(ss);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    std::memcpy(&sin6.sin6_addr, a.data(), 16);
    if (a.is_link_local() || (a.is_multicast() && multicast_scope(a) <= 2))
        sin6.sin6_scope_id = std::uint32_t(ifindex);
    return sizeof sin6;
}

/// Why IPv6 cannot carry probes on `ifname`, or "" when it can (or when
/// /proc/sys cannot tell: the kernel then answers for itself). Reads the
/// network namespace of the calling thread, the one the socket is made in.
std::string ipv6_unusable(const std::string& ifname) {
    const std::string conf = "/proc/sys/net/ipv6/conf/";
    std::ifstream own(conf + ifname + "/disable_ipv6");
    int disabled = 0;
    if (own >> disabled) {
        if (disabled == 0) return {};
        std::string key = ifname;  // sysctl(8) spells a dot in a name as '/'
        for (char& c : key)
            if (c == '.') c = '/';
        return "IPv6 is disabled on " + ifname + " (net.ipv6.conf." + key + ".disable_ipv6 = " +
               std::to_string(disabled) + ")";
    }
    // No entry of its own while `all` has one: the kernel keeps no IPv6
    // state for this interface (an MTU below 1280 removes it).
    if (std::ifstream(conf + "all/disable_ipv6"))
        return "IPv6 is not available on " + ifname + " (the kernel keeps no IPv6 state for it: MTU below 1280?)";
    return {};
}

/// Why a probe socket for `ifname` in `fam` (joining `group`) cannot be
/// made, or "" (with `ifindex` found) when it may be tried.
std::string refused(const std::string& ifname, family fam, const ip_address* group, int& ifindex) {
    if (ifname.empty() || ifname.size() >= IF_NAMESIZE) return "bad interface name \"" + ifname + "\"";
    ifindex = int(if_nametoindex(ifname.c_str()));
    if (ifindex == 0) return "no such interface " + ifname;
    if (group) {
        if (fam != family::v6)
            return "IPv4 probe sockets join no multicast group (asked for " + group->to_string() + " on " + ifname + ")";
        if (group->is_v4() || !group->is_multicast() || multicast_scope(*group) != 2)
            return "probe group " + group->to_string() + " is not a link-local IPv6 multicast address (ff02::/16)";
    }
    if (fam == family::v6) return ipv6_unusable(ifname);
    return "";
}

/// Each datagram with the time the kernel queued it (SO_TIMESTAMPNS, on
/// the wall clock): the core judges a datagram by when it came, not by
/// when a busy faild read it. Best effort: without it, the read time.
void stamp_arrivals(int fd) { set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1); }

/// Control space per datagram: the TTL (or hop limit) and the arrival stamp.
constexpr std::size_t control_space = CMSG_SPACE(sizeof(int)) * 2 + CMSG_SPACE(sizeof(timespec));

/// Broadcast, TTL 255 out and the TTL of what comes in, no loop of our own
/// multicast; the name of the option that failed (errno says why), or "".
std::string set_v4_options(int fd) {
    if (!set_int(fd, SOL_SOCKET, SO_BROADCAST, 1)) return "SO_BROADCAST";
    // 255 so receivers can check the datagram never crossed a router.
    if (!set_int(fd, IPPROTO_IP, IP_TTL, 255)) return "IP_TTL";
    if (!set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255)) return "IP_MULTICAST_TTL";
    if (!set_int(fd, IPPROTO_IP, IP_RECVTTL, 1)) return "IP_RECVTTL";
    stamp_arrivals(fd);
    // Our own multicast is of no use to us (a second faild cannot share
    // this port on this device). Broadcasts are looped back regardless:
    // the core still sees its own IPv4 INQs.
    if (!set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0)) return "IP_MULTICAST_LOOP";
    return "";
}

/// IPv6 only, hop limit 255 out and the hop limit of what comes in,
/// multicast out of `ifindex` without loop, `group` joined there; the name
/// of what failed (errno says why), or "".
std::string set_v6_options(int fd, int ifindex, const ip_address* group) {
    if (!set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1)) return "IPV6_V6ONLY";
    if (!set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255)) return "IPV6_UNICAST_HOPS";
    if (!set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255)) return "IPV6_MULTICAST_HOPS";
    if (!set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)) return "IPV6_RECVHOPLIMIT";
    stamp_arrivals(fd);
    // Multicast sends leave through the bound device anyway; naming it
    // keeps the choice independent of the routing table.
    if (!set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex)) return "IPV6_MULTICAST_IF";
    if (!set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0)) return "IPV6_MULTICAST_LOOP";
    if (group) {
        // Joined on this interface only: the group's datagrams are then
        // accepted there (a device drops link-scope groups nobody joined).
        ipv6_mreq mreq{};
        std::memcpy(&mreq.ipv6mr_multiaddr, group->data(), 16);
        mreq.ipv6mr_interface = unsigned(ifindex);
        if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
            return "joining " + group->to_string();
    }
    return "";
}

}  // namespace

std::unique_ptr<udp_probe_socket> udp_probe_socket::open(const std::string& ifname, family fam,
                                                         std::uint16_t port, std::string& error,
                                                         const ip_address* group) {
    const char* fam_name = fam == family::v4 ? "IPv4" : "IPv6";
    int ifindex = 0;
    if (auto why = refused(ifname, fam, group, ifindex); !why.empty()) {
        error = why;
        return nullptr;
    }
    int fd = socket(fam == family::v4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (errno == EAFNOSUPPORT)
            error = std::string(fam_name) + " is not available on this host (socket for " + ifname + ": " +
                    errno_text(errno) + ")";
        else
            error = std::string(fam_name) + " socket for " + ifname + ": " + errno_text(errno);
        return nullptr;
    }
    auto fail = [&](const std::string& what) {
        error = what + " on " + ifname + ": " + errno_text(errno);
        close(fd);
        return nullptr;
    };

    // Device binding before bind(): the port conflict check then only looks
    // at sockets on the same device. Since Linux 5.7 binding an unbound
    // socket needs no privilege; older kernels want CAP_NET_RAW.
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), socklen_t(ifname.size())) != 0)
        return fail(errno == EPERM ? "SO_BINDTODEVICE (needs CAP_NET_RAW)" : "SO_BINDTODEVICE");
    // No SO_REUSEADDR / SO_REUSEPORT: a second faild on the same port and
    // interface must fail to bind rather than silently share the probes.
    if (auto what = fam == family::v4 ? set_v4_options(fd) : set_v6_options(fd, ifindex, group); !what.empty())
        return fail(what);

    sockaddr_storage ss;
    socklen_t len = to_sockaddr(fam == family::v4 ? ip_address() : *ip_address::parse("::"), port, 0, ss);
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        if (errno == EADDRINUSE) {
            error = "port " + std::to_string(port) + " on " + ifname + " already in use (another faild?)";
            close(fd);
            return nullptr;
        }
        return fail(std::string("bind ") + fam_name + " port " + std::to_string(port));
    }
    return std::unique_ptr<udp_probe_socket>(new udp_probe_socket(fd, fam, ifindex, ifname));
}

udp_probe_socket::~udp_probe_socket() { close(fd_); }

bool udp_probe_socket::send_to(const ip_address& dst, std::uint16_t port, const std::uint8_t* data,
                               std::size_t size, std::string& error) {
    if (dst.fam() != fam_) {
        error = "cannot send to " + dst.to_string() + " from an " + (fam_ == family::v4 ? "IPv4" : "IPv6") +
                " socket";
        return false;
    }
    sockaddr_storage ss;
    socklen_t len = to_sockaddr(dst, port, ifindex_, ss);
    for (;;) {
        ssize_t n = sendto(fd_, data, size, 0, reinterpret_cast<sockaddr*>(&ss), len);
        if (n >= 0) return true;
        if (errno == EINTR) continue;
        // Note: a send over a dead wire still succeeds; only missing replies
        // tell. Errors here are local (no route, no address yet, full queue).
        error = "send to " + dst.to_string() + " port " + std::to_string(port) + " on " + ifname_ + ": " +
                errno_text(errno);
        return false;
    }
}

namespace {

/// The sender and TTL of a received datagram; false when its address family
/// is neither IPv4 nor IPv6.
bool describe(const sockaddr_storage& from, msghdr& msg, std::size_t size, datagram& d) {
    d = datagram{};
    d.size = size;
    if (from.ss_family == AF_INET) {
        auto& sin = reinterpret_cast<const sockaddr_in&>(from);
        d.from = ip_address::from_bytes(family::v4, reinterpret_cast<const std::uint8_t*>(&sin.sin_addr));
        d.from_port = ntohs(sin.sin_port);
    } else if (from.ss_family == AF_INET6) {
        auto& sin6 = reinterpret_cast<const sockaddr_in6&>(from);
        d.from = ip_address::from_bytes(family::v6, reinterpret_cast<const std::uint8_t*>(&sin6.sin6_addr));
        d.from_port = ntohs(sin6.sin6_port);
    } else {
        return false;
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        bool ttl = (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                   (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT);
        if (ttl && c->cmsg_len >= CMSG_LEN(sizeof(int))) std::memcpy(&d.ttl, CMSG_DATA(c), sizeof(int));
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            d.arrived = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
        }
    }
    return true;
}

/// A batch buffer holds the largest valid probe (PROTOCOL.md: 2,740 bytes
/// with a MAC); anything longer arrives cut (MSG_TRUNC) and is reported as
/// oversize, never decoded.
constexpr std::size_t batch_buffer = wire::max_size;

}  // namespace

std::optional<datagram> udp_probe_socket::receive(std::uint8_t* buf, std::size_t cap) {
    for (;;) {
        sockaddr_storage from;
        iovec iov{buf, cap};
        alignas(cmsghdr) char control[control_space];
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::nullopt;  // EAGAIN: nothing waiting; anything else: nothing usable
        }
        // A datagram longer than the buffer is not a probe we sent: drop it
        // rather than hand a truncated one to the codec.
        if (msg.msg_flags & MSG_TRUNC) continue;
        datagram d;
        if (describe(from, msg, std::size_t(n), d)) return d;
    }
}

struct udp_probe_socket::batch_storage {
    std::array<std::array<std::uint8_t, batch_buffer>, batch_size> bufs;
    std::array<sockaddr_storage, batch_size> from;
    struct alignas(cmsghdr) control_buffer {
        std::array<char, control_space> bytes;
    };
    std::array<control_buffer, batch_size> control;
    std::array<iovec, batch_size> iov;
    std::array<mmsghdr, batch_size> msgs;
    std::array<datagram, batch_size> info;
    std::array<const std::uint8_t*, batch_size> data;
    std::array<datagram, batch_size> oversize;
};

probe_socket::batch_view udp_probe_socket::read_batch() {
    if (!batch_) batch_ = std::make_unique<batch_storage>();
    auto& b = *batch_;
    for (std::size_t i = 0; i < batch_size; ++i) {
        b.iov[i] = {b.bufs[i].data(), b.bufs[i].size()};
        msghdr& h = b.msgs[i].msg_hdr;
        h = msghdr{};
        h.msg_name = &b.from[i];
        h.msg_namelen = sizeof b.from[i];
        h.msg_iov = &b.iov[i];
        h.msg_iovlen = 1;
        h.msg_control = b.control[i].bytes.data();
        h.msg_controllen = b.control[i].bytes.size();
    }
    int n;
    // MSG_TRUNC: msg_len is the datagram's real length, also when it was cut.
    do n = recvmmsg(fd_, b.msgs.data(), unsigned(batch_size), MSG_DONTWAIT | MSG_TRUNC, nullptr);
    while (n < 0 && errno == EINTR);
    batch_view v;
    if (n <= 0) return v;  // EAGAIN: nothing waiting; anything else: nothing usable
    std::size_t kept = 0, oversize = 0;
    for (int i = 0; i < n; ++i) {
        msghdr& h = b.msgs[std::size_t(i)].msg_hdr;
        const std::size_t len = b.msgs[std::size_t(i)].msg_len;
        if ((h.msg_flags & MSG_TRUNC) || len > batch_buffer) {  // longer than any valid probe
            if (describe(b.from[std::size_t(i)], h, len, b.oversize[oversize])) ++oversize;
            continue;
        }
        if (!describe(b.from[std::size_t(i)], h, len, b.info[kept])) continue;
        b.data[kept++] = b.bufs[std::size_t(i)].data();
    }
    v.info = b.info.data();
    v.data = b.data.data();
    v.count = kept;
    v.oversize = b.oversize.data();
    v.oversize_count = oversize;
    v.full = std::size_t(n) == batch_size;  // (even with some oversize) more may wait
    return v;
}

bool udp_probe_socket::drop_matching(const std::vector<payload_field>& fields) {
    // A UDP socket's filter sees the datagram from its UDP header on.
    constexpr std::uint32_t udp_header = 8;
    std::size_t end = 0;
    for (const auto& f : fields) end = std::max(end, f.offset + f.bytes.size());
    if (fields.empty() || end > 1024) return false;
    std::vector<sock_filter> prog;
    std::vector<std::size_t> to_keep;  // jumps whose "false" branch keeps the datagram
    auto compare = [&](std::uint16_t size, std::uint32_t at, std::uint32_t value) {
        prog.push_back(BPF_STMT(std::uint16_t(BPF_LD | size | BPF_ABS), at));
        to_keep.push_back(prog.size());
        prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 0));
    };
    // Shorter than the fields reach: keep it (a load past the end would
    // drop it, and a short datagram is for the core to count as malformed).
    prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0));
    to_keep.push_back(prog.size());
    prog.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, std::uint32_t(udp_header + end), 0, 0));
    for (const auto& f : fields) {
        std::size_t i = 0;
        for (; i + 4 <= f.bytes.size(); i += 4)  // loads are big-endian, like the wire
            compare(BPF_W, std::uint32_t(udp_header + f.offset + i),
                    std::uint32_t(f.bytes[i]) << 24 | std::uint32_t(f.bytes[i + 1]) << 16 |
                        std::uint32_t(f.bytes[i + 2]) << 8 | f.bytes[i + 3]);
        for (; i < f.bytes.size(); ++i) compare(BPF_B, std::uint32_t(udp_header + f.offset + i), f.bytes[i]);
    }
    prog.push_back(BPF_STMT(BPF_RET | BPF_K, 0));  // every field matched: drop
    const std::size_t keep = prog.size();
    prog.push_back(BPF_STMT(BPF_RET | BPF_K, 0xffffffffu));
    for (std::size_t j : to_keep) {
        if (keep - j - 1 > 255) return false;  // a jump reaches 255 instructions at most
        prog[j].jf = std::uint8_t(keep - j - 1);
    }
    sock_fprog fp{};
    fp.len = std::uint16_t(prog.size());
    fp.filter = prog.data();
    return setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) == 0;
}

std::unique_ptr<probe_socket> open_probe_socket(const std::string& ifname, family fam, std::uint16_t port,
                                                std::string& error, const ip_address* group) {
    return udp_probe_socket::open(ifname, fam, port, error, group);
}

}  // namespace faild::platform
