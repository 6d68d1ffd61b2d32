// DOC: netlink_socket — see netlink_socket.hpp.
#include "platform/linux/netlink_socket.hpp"

#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstring>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace faild::platform {

netlink_socket::netlink_socket() {
    sock_ = nl_socket_alloc();
    if (!sock_) {
        open_error_ = "netlink: out of memory";
        return;
    }
    if (int err = nl_connect(sock_, NETLINK_ROUTE); err < 0) {
        open_error_ = std::string("netlink: ") + nl_geterror(err);
        nl_socket_free(sock_);
        sock_ = nullptr;
        return;
    }
    // Ask the kernel for its error text, and not to echo our request back in
    // the error (the echo of a route request is useless and can be large).
    // Both are best effort: older kernels just ignore them.
    int on = 1;
    setsockopt(nl_socket_get_fd(sock_), SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
    setsockopt(nl_socket_get_fd(sock_), SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
    nl_socket_modify_err_cb(sock_, NL_CB_CUSTOM, &netlink_socket::on_kernel_error, this);
}

netlink_socket::~netlink_socket() {
    if (sock_) nl_socket_free(sock_);
}

void netlink_socket::clear_kernel_error() {
    kernel_errno_ = 0;
    kernel_text_.clear();
}

int netlink_socket::on_kernel_error(::sockaddr_nl*, ::nlmsgerr* err, void* arg) {
    auto* self = static_cast<netlink_socket*>(arg);
    self->kernel_errno_ = -err->error;
    // The nlmsgerr sits right behind its nlmsghdr.
    self->kernel_text_ = ack_text(reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(err) - NLMSG_HDRLEN));
    return NL_STOP;  // libnl then returns the errno mapped to -NLE_*
}

std::string netlink_socket::ack_text(const nlmsghdr* hdr) {
    if (hdr->nlmsg_len < NLMSG_HDRLEN + sizeof(nlmsgerr)) return {};
    nlmsgerr err;
    std::memcpy(&err, reinterpret_cast<const char*>(hdr) + NLMSG_HDRLEN, sizeof err);
    // With NLM_F_ACK_TLVS the kernel appends attributes after the (capped or
    // full) echoed request.
    if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    std::size_t offset = NLMSG_HDRLEN + sizeof(nlmsgerr);
    if (!(hdr->nlmsg_flags & NLM_F_CAPPED)) offset += NLMSG_ALIGN(err.msg.nlmsg_len) - NLMSG_HDRLEN;
    const char* base = reinterpret_cast<const char*>(hdr);
    while (offset + NLA_HDRLEN <= hdr->nlmsg_len) {
        nlattr attr;
        std::memcpy(&attr, base + offset, sizeof attr);
        if (attr.nla_len < NLA_HDRLEN || offset + attr.nla_len > hdr->nlmsg_len) break;
        if ((attr.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
            const char* text = base + offset + NLA_HDRLEN;
            return std::string(text, strnlen(text, attr.nla_len - NLA_HDRLEN));
        }
        offset += NLA_ALIGN(attr.nla_len);
    }
    return {};
}

std::string netlink_socket::describe_kernel(int errno_value, const std::string& text) {
    std::string out = std::strerror(errno_value);
    if (!text.empty()) out = text + " (" + out + ")";
    return out;
}

std::string netlink_socket::describe(int nl_error) const {
    if (kernel_errno_ == 0) return nl_geterror(nl_error);
    return describe_kernel(kernel_errno_, kernel_text_);
}

}  // namespace faild::platform
