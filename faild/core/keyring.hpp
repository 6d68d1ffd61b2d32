// DOC: keyring — the shared secrets that authenticate probes (HMAC-SHA256).
//
// A key file holds one or two keys, one per line, in hex (at least 32 hex
// digits: 16 bytes), `#` comments allowed. The first key signs what we send;
// every key is accepted on receipt, so keys can be rolled over one host at a
// time. The file must not be readable by group or others. HMAC comes from
// libsodium (constant-time verification); nothing here is hand-made crypto.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace faild {

inline constexpr std::size_t mac_size = 32;     ///< HMAC-SHA256
inline constexpr std::size_t min_key_bytes = 16;

class keyring {
public:
    /// Reads and checks a key file; false and `error` (naming the file) when
    /// it is missing, readable by group or others, malformed or too short.
    bool load(const std::string& path, std::string& error);
    /// From key text (the file's contents), for tests and load().
    bool parse(const std::string& text, const std::string& where, std::string& error);

    bool empty() const { return keys_.empty(); }
    std::size_t size() const { return keys_.size(); }
    /// HMAC-SHA256 of data under the sending (first) key.
    std::array<std::uint8_t, mac_size> sign(const std::uint8_t* data, std::size_t size) const;
    /// True when `mac` is the HMAC of data under any of the keys.
    bool verify(const std::uint8_t* data, std::size_t size, const std::uint8_t* mac) const;
    /// The same over `head` followed by `data` (a pseudo-header that is
    /// covered by the MAC but not sent).
    std::array<std::uint8_t, mac_size> sign(const std::vector<std::uint8_t>& head, const std::uint8_t* data,
                                            std::size_t size) const;
    bool verify(const std::vector<std::uint8_t>& head, const std::uint8_t* data, std::size_t size,
                const std::uint8_t* mac) const;

private:
    std::vector<std::vector<std::uint8_t>> keys_;
};

}  // namespace faild
