#include "faild/core/ip_address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace faild {

std::optional<ip_address> ip_address::parse(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    std::string s(text);
    std::uint8_t buf[16];
    if (inet_pton(AF_INET, s.c_str(), buf) == 1) return from_bytes(family::v4, buf);
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return from_bytes(family::v6, buf);
    return std::nullopt;
}

ip_address ip_address::from_bytes(family fam, const std::uint8_t* bytes) {
    ip_address a;
    a.fam_ = fam;
    std::memcpy(a.bytes_.data(), bytes, fam == family::v4 ? 4 : 16);
    return a;
}

bool ip_address::is_unspecified() const {
    for (std::size_t i = 0; i < size(); ++i)
        if (bytes_[i] != 0) return false;
    return true;
}

bool ip_address::is_loopback() const {
    if (is_v4()) return bytes_[0] == 127;
    for (int i = 0; i < 15; ++i)
        if (bytes_[i] != 0) return false;
    return bytes_[15] == 1;
}

bool ip_address::is_multicast() const {
    return is_v4() ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff;
}

bool ip_address::is_link_local() const {
    if (is_v4()) return bytes_[0] == 169 && bytes_[1] == 254;
    return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

bool ip_address::is_routable_unicast() const {
    if (is_unspecified() || is_loopback() || is_multicast() || is_link_local()) return false;
    if (is_v4()) return bytes_[0] != 0 && !(bytes_[0] == 255 && bytes_[1] == 255 && bytes_[2] == 255 && bytes_[3] == 255);
    // IPv4-mapped ::ffff:0:0/96 is not an IPv6 destination of ours.
    static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(bytes_.data(), mapped, 12) != 0;
}

std::string ip_address::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    // glibc's inet_ntop writes RFC 5952 form (lower case, longest zero run).
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

std::optional<prefix> prefix::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto addr = ip_address::parse(text.substr(0, slash));
    auto len_text = text.substr(slash + 1);
    if (!addr || len_text.empty() || len_text.size() > 3) return std::nullopt;
    unsigned len = 0;
    for (char c : len_text) {
        if (c < '0' || c > '9') return std::nullopt;
        len = len * 10 + unsigned(c - '0');
    }
    if (len > addr->size() * 8) return std::nullopt;
    return prefix{*addr, std::uint8_t(len)};
}

bool prefix::contains(const ip_address& a) const {
    if (a.fam() != addr.fam()) return false;
    unsigned full = len / 8, rest = len % 8;
    if (std::memcmp(a.data(), addr.data(), full) != 0) return false;
    if (rest == 0) return true;
    std::uint8_t mask = std::uint8_t(0xff << (8 - rest));
    return (a.data()[full] & mask) == (addr.data()[full] & mask);
}

ip_address prefix::broadcast() const {
    std::uint8_t b[4];
    std::memcpy(b, addr.data(), 4);
    for (unsigned bit = len; bit < 32; ++bit) b[bit / 8] |= std::uint8_t(0x80 >> (bit % 8));
    return ip_address::from_bytes(family::v4, b);
}

ip_address prefix::network() const {
    std::uint8_t b[16];
    std::memcpy(b, addr.data(), addr.size());
    for (unsigned bit = len; bit < addr.size() * 8; ++bit) b[bit / 8] &= std::uint8_t(~(0x80 >> (bit % 8)));
    return ip_address::from_bytes(addr.fam(), b);
}

std::string prefix::to_string() const { return addr.to_string() + "/" + std::to_string(len); }

}  // namespace faild
