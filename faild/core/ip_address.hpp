// DOC: ip_address and prefix — the one address type of the core.
//
// An IPv4 or IPv6 address held in binary form (network byte order), compared
// and ordered on that binary form, printed in canonical text (RFC 5952 for
// IPv6, dotted quad for IPv4). No sockets, no Asio: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faild {

enum class family : std::uint8_t { v4 = 4, v6 = 6 };

class ip_address {
public:
    ip_address() = default;  // 0.0.0.0

    /// Any valid textual form of an IPv4 or IPv6 address; nullopt otherwise.
    static std::optional<ip_address> parse(std::string_view text);
    /// Copies 4 (v4) or 16 (v6) bytes in network order.
    static ip_address from_bytes(family fam, const std::uint8_t* bytes);

    family fam() const { return fam_; }
    bool is_v4() const { return fam_ == family::v4; }
    /// 4 or 16.
    std::size_t size() const { return fam_ == family::v4 ? 4 : 16; }
    const std::uint8_t* data() const { return bytes_.data(); }

    bool is_unspecified() const;
    bool is_loopback() const;
    bool is_multicast() const;
    /// 169.254/16 or fe80::/10.
    bool is_link_local() const;
    /// Global or unique-local unicast: what may ever be a route destination.
    bool is_routable_unicast() const;

    /// Canonical text form.
    std::string to_string() const;

    friend bool operator==(const ip_address& a, const ip_address& b) {
        return a.fam_ == b.fam_ && a.bytes_ == b.bytes_;
    }
    friend bool operator!=(const ip_address& a, const ip_address& b) { return !(a == b); }
    friend bool operator<(const ip_address& a, const ip_address& b) {
        return a.fam_ != b.fam_ ? a.fam_ < b.fam_ : a.bytes_ < b.bytes_;
    }

private:
    family fam_ = family::v4;
    std::array<std::uint8_t, 16> bytes_{};
};

/// An address with a prefix length: one of our own addresses on a LAN
/// (address plus the on-link prefix), or a route destination.
struct prefix {
    ip_address addr;
    std::uint8_t len = 0;

    /// "a.b.c.d/len" or "x::y/len"; nullopt when malformed or len too long.
    static std::optional<prefix> parse(std::string_view text);
    /// True when `a` is of the same family and inside addr/len.
    bool contains(const ip_address& a) const;
    /// The IPv4 directed broadcast address of this prefix (v4 only).
    ip_address broadcast() const;
    /// The first address of the prefix (host bits cleared).
    ip_address network() const;
    std::string to_string() const;

    friend bool operator==(const prefix& a, const prefix& b) {
        return a.addr == b.addr && a.len == b.len;
    }
    friend bool operator<(const prefix& a, const prefix& b) {
        return a.addr != b.addr ? a.addr < b.addr : a.len < b.len;
    }
};

}  // namespace faild
