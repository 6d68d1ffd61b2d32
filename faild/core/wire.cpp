#include "faild/core/wire.hpp"

namespace faild::wire {

namespace {

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(std::uint8_t(v >> 24));
    out.push_back(std::uint8_t(v >> 16));
    out.push_back(std::uint8_t(v >> 8));
    out.push_back(std::uint8_t(v));
}

std::uint32_t get32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

bool id_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}

}  // namespace

const char* to_string(error e) {
    switch (e) {
    case error::too_short: return "too_short";
    case error::bad_magic: return "bad_magic";
    case error::bad_version: return "bad_version";
    case error::bad_type: return "bad_type";
    case error::bad_node_id: return "bad_node_id";
    case error::bad_interval: return "bad_interval";
    case error::too_many_addresses: return "too_many_addresses";
    case error::too_many_heard: return "too_many_heard";
    case error::bad_address: return "bad_address";
    case error::bad_heard: return "bad_heard";
    case error::truncated: return "truncated";
    case error::trailing_bytes: return "trailing_bytes";
    case error::unauthenticated: return "unauthenticated";
    case error::bad_mac: return "bad_mac";
    case error::unverifiable: return "unverifiable";
    case error::bad_target: return "bad_target";
    }
    return "unknown";
}

ip_address v6_group() {
    static const ip_address group = *ip_address::parse("ff02::fa1d");
    return group;
}

bool valid_node_id(const std::string& id) {
    if (id.empty() || id.size() > max_node_id) return false;
    for (unsigned char c : id)
        if (!id_char(c)) return false;
    return true;
}

std::vector<std::uint8_t> encode(const message& m) {
    std::vector<std::uint8_t> out;
    out.reserve(header_size + m.node_id.size() + m.addresses.size() * 17 + m.heard.size() * 33);
    out.push_back(magic0);
    out.push_back(magic1);
    out.push_back(m.version);
    out.push_back(std::uint8_t(m.kind));
    const bool target = m.version != version_1 && m.target;
    // Version 2: the flag says whether a target follows. Version 1 never has
    // one (the bit is an unknown flag there, kept as it came).
    const std::uint8_t flags =
        target ? m.flags | flag_target : m.version == version_1 ? m.flags : std::uint8_t(m.flags & ~flag_target);
    out.push_back(flags);
    out.push_back(std::uint8_t(m.node_id.size()));
    out.push_back(std::uint8_t(m.addresses.size()));
    out.push_back(std::uint8_t(m.heard.size()));
    put32(out, m.incarnation);
    put32(out, m.seq);
    put32(out, m.interval_us);
    out.insert(out.end(), m.node_id.begin(), m.node_id.end());
    for (const auto& a : m.addresses) {
        out.push_back(std::uint8_t(a.fam()));
        out.insert(out.end(), a.data(), a.data() + a.size());
    }
    for (const auto& h : m.heard) {
        out.push_back(std::uint8_t(h.size()));
        out.insert(out.end(), h.begin(), h.end());
    }
    if (target) {
        out.push_back(std::uint8_t(m.target->fam()));
        out.insert(out.end(), m.target->data(), m.target->data() + m.target->size());
    }
    return out;
}

std::vector<std::uint8_t> pseudo_header(const lan_binding& b) {
    static const char tag[] = "faild-v2";
    std::vector<std::uint8_t> h(tag, tag + sizeof tag - 1);
    h.push_back(std::uint8_t(b.fam));
    const ip_address net = b.lan.network();
    h.insert(h.end(), net.data(), net.data() + net.size());
    h.push_back(b.lan.len);
    return h;
}

std::vector<std::uint8_t> encode(const message& m, const keyring& keys, const lan_binding& lan) {
    if (keys.empty()) return encode(m);
    message signed_m = m;
    signed_m.flags |= flag_authenticated;
    auto out = encode(signed_m);
    auto mac = m.version == version_1 ? keys.sign(out.data(), out.size())
                                      : keys.sign(pseudo_header(lan), out.data(), out.size());
    out.insert(out.end(), mac.begin(), mac.end());
    return out;
}

std::variant<message, error> decode(const std::uint8_t* data, std::size_t size, const keyring& keys,
                                    const std::vector<lan_binding>& lans) {
    if (size < header_size) return error::too_short;
    bool authenticated = data[4] & flag_authenticated;
    if (keys.empty()) return authenticated ? std::variant<message, error>(error::unverifiable) : decode(data, size);
    if (!authenticated) return error::unauthenticated;
    if (size < header_size + mac_size) return error::truncated;
    // The MAC is checked before any field is read (the version byte picks
    // how: a forged one only picks a MAC that will not verify).
    const std::uint8_t* mac = data + size - mac_size;
    bool ok = false;
    if (data[2] == version_1) {
        ok = keys.verify(data, size - mac_size, mac);
    } else {
        for (const auto& b : lans)
            if (!ok && b.fam == b.lan.addr.fam()) ok = keys.verify(pseudo_header(b), data, size - mac_size, mac);
    }
    if (!ok) return error::bad_mac;
    return decode(data, size - mac_size);
}

std::variant<message, error> decode(const std::uint8_t* data, std::size_t size) {
    if (size < header_size) return error::too_short;
    if (data[0] != magic0 || data[1] != magic1) return error::bad_magic;
    if (data[2] != version && data[2] != version_1) return error::bad_version;
    if (data[3] < std::uint8_t(type::inq) || data[3] > std::uint8_t(type::notice)) return error::bad_type;
    std::size_t id_len = data[5], n_addr = data[6], n_heard = data[7];
    if (id_len == 0 || id_len > max_node_id) return error::bad_node_id;
    if (n_addr > max_addresses) return error::too_many_addresses;
    if (n_heard > max_heard) return error::too_many_heard;

    message m;
    m.kind = type(data[3]);
    m.flags = data[4];  // unknown flags are ignored (reserved for later versions)
    m.version = data[2];
    m.incarnation = get32(data + 8);
    m.seq = get32(data + 12);
    m.interval_us = get32(data + 16);
    if (m.interval_us < min_interval_us || m.interval_us > max_interval_us) return error::bad_interval;

    std::size_t pos = header_size;
    if (size - pos < id_len) return error::truncated;
    m.node_id.assign(reinterpret_cast<const char*>(data + pos), id_len);
    if (!valid_node_id(m.node_id)) return error::bad_node_id;
    pos += id_len;

    m.addresses.reserve(n_addr);
    for (std::size_t i = 0; i < n_addr; ++i) {
        if (size - pos < 1) return error::truncated;
        std::uint8_t fam = data[pos++];
        if (fam != std::uint8_t(family::v4) && fam != std::uint8_t(family::v6)) return error::bad_address;
        std::size_t len = fam == std::uint8_t(family::v4) ? 4 : 16;
        if (size - pos < len) return error::truncated;
        m.addresses.push_back(ip_address::from_bytes(family(fam), data + pos));
        pos += len;
    }

    m.heard.reserve(n_heard);
    for (std::size_t i = 0; i < n_heard; ++i) {
        if (size - pos < 1) return error::truncated;
        std::size_t len = data[pos++];
        if (size - pos < len) return error::truncated;
        std::string id(reinterpret_cast<const char*>(data + pos), len);
        if (!valid_node_id(id)) return error::bad_heard;
        m.heard.push_back(std::move(id));
        pos += len;
    }
    if (m.version != version_1 && (m.flags & flag_target)) {
        if (size - pos < 1) return error::truncated;
        std::uint8_t fam = data[pos++];
        if (fam != std::uint8_t(family::v4) && fam != std::uint8_t(family::v6)) return error::bad_target;
        std::size_t len = fam == std::uint8_t(family::v4) ? 4 : 16;
        if (size - pos < len) return error::truncated;
        m.target = ip_address::from_bytes(family(fam), data + pos);
        pos += len;
    }
    if (pos != size) return error::trailing_bytes;
    return m;
}

std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>> identity_fields(const std::string& node_id,
                                                                               std::uint32_t incarnation) {
    std::vector<std::uint8_t> inc;
    put32(inc, incarnation);
    return {{0, {magic0, magic1}},
            {5, {std::uint8_t(node_id.size())}},
            {8, inc},
            {header_size, std::vector<std::uint8_t>(node_id.begin(), node_id.end())}};
}

}  // namespace faild::wire
