#include "faild/core/keyring.hpp"

#include <sodium.h>

#include <sstream>

namespace faild {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::array<std::uint8_t, mac_size> hmac(const std::vector<std::uint8_t>& key, const std::vector<std::uint8_t>& head,
                                         const std::uint8_t* data, std::size_t size) {
    std::array<std::uint8_t, mac_size> out{};
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.data(), key.size());
    if (!head.empty()) crypto_auth_hmacsha256_update(&st, head.data(), head.size());
    crypto_auth_hmacsha256_update(&st, data, size);
    crypto_auth_hmacsha256_final(&st, out.data());
    sodium_memzero(&st, sizeof st);
    return out;
}

}  // namespace

bool keyring::parse(const std::string& text, const std::string& where, std::string& error) {
    if (sodium_init() < 0) {
        error = "libsodium cannot initialise";
        return false;
    }
    keys_.clear();
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        auto hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        std::string hex;
        for (char c : line)
            if (c != ' ' && c != '\t' && c != '\r') hex += c;
        if (hex.empty()) continue;
        std::string at = where + ":" + std::to_string(n);
        if (hex.size() % 2) {
            error = at + ": a key is an even number of hex digits";
            return false;
        }
        std::vector<std::uint8_t> key;
        for (std::size_t i = 0; i < hex.size(); i += 2) {
            int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
            if (hi < 0 || lo < 0) {
                error = at + ": a key is hex digits only";
                return false;
            }
            key.push_back(std::uint8_t(hi * 16 + lo));
        }
        if (key.size() < min_key_bytes) {
            error = at + ": key too short (" + std::to_string(key.size()) + " bytes; at least " +
                    std::to_string(min_key_bytes) + ", e.g. `openssl rand -hex 32`)";
            return false;
        }
        if (keys_.size() == 2) {
            error = at + ": at most two keys (the one to send with, and the one being rolled over)";
            return false;
        }
        keys_.push_back(std::move(key));
    }
    if (keys_.empty()) {
        error = where + ": no key in the file";
        return false;
    }
    return true;
}

std::array<std::uint8_t, mac_size> keyring::sign(const std::uint8_t* data, std::size_t size) const {
    return sign({}, data, size);
}

bool keyring::verify(const std::uint8_t* data, std::size_t size, const std::uint8_t* mac) const {
    return verify({}, data, size, mac);
}

std::array<std::uint8_t, mac_size> keyring::sign(const std::vector<std::uint8_t>& head, const std::uint8_t* data,
                                                 std::size_t size) const {
    return hmac(keys_.front(), head, data, size);
}

bool keyring::verify(const std::vector<std::uint8_t>& head, const std::uint8_t* data, std::size_t size,
                     const std::uint8_t* mac) const {
    bool ok = false;
    for (const auto& k : keys_) {  // every key, always: no timing hint of which matched
        auto want = hmac(k, head, data, size);
        ok |= sodium_memcmp(want.data(), mac, mac_size) == 0;
    }
    return ok;
}

}  // namespace faild
