// DOC: fuzz_wire — libFuzzer target for faild::wire::decode().
//
// Any byte string may arrive on the probe port, so decode() must never crash,
// read out of bounds or allocate without bound, and what it accepts must be a
// valid message: every field inside its limits, and encode() must give back
// exactly the datagram that was decoded (decode() consumes every byte into a
// field, so the encoding is canonical), which decodes again to an equal
// message. The keyed decode() is fed the same bytes: without keys it must
// refuse what carries a MAC and otherwise agree with the plain decode(); with
// a key, what it accepts must re-encode (signed, for the same LAN) to the
// same bytes. A broken
// property aborts, which libFuzzer and replay_main report as a crash.
#include "faild/core/wire.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <variant>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_wire: property broken: %s\n", what);
    std::abort();
}

void check(bool ok, const char* what) {
    if (!ok) fail(what);
}

bool same(const faild::wire::message& a, const faild::wire::message& b) {
    return a.kind == b.kind && a.node_id == b.node_id && a.incarnation == b.incarnation && a.seq == b.seq &&
           a.interval_us == b.interval_us && a.addresses == b.addresses && a.heard == b.heard &&
           a.flags == b.flags && a.version == b.version && a.target == b.target;
}

/// The LAN the keyed decode() is told the datagram came in on.
const std::vector<faild::wire::lan_binding>& test_lans() {
    static const std::vector<faild::wire::lan_binding> lans{
        {faild::family::v4, *faild::prefix::parse("192.0.2.0/24")}};
    return lans;
}

const faild::keyring& test_keys() {
    static const faild::keyring keys = [] {
        faild::keyring k;
        std::string error;
        if (!k.parse("00112233445566778899aabbccddeeff\n", "fuzz_wire", error)) fail(error.c_str());
        return k;
    }();
    return keys;
}

/// The keyed decode() against the plain one on the same bytes.
void check_keyed(const std::uint8_t* data, std::size_t size, const std::variant<faild::wire::message, faild::wire::error>& plain) {
    using namespace faild;
    auto unkeyed = wire::decode(data, size, keyring{}, test_lans());
    if (size >= wire::header_size && (data[4] & wire::flag_authenticated)) {
        const auto* e = std::get_if<wire::error>(&unkeyed);
        check(e && *e == wire::error::unverifiable, "no keys, but a datagram with a MAC was not refused as unverifiable");
    } else {
        check(unkeyed.index() == plain.index(), "no keys: keyed and plain decode disagree");
        if (const auto* m = std::get_if<wire::message>(&unkeyed))
            check(same(*m, std::get<wire::message>(plain)), "no keys: keyed and plain decode disagree");
        else
            check(std::get<wire::error>(unkeyed) == std::get<wire::error>(plain), "no keys: keyed and plain decode disagree on the error");
    }
    auto keyed = wire::decode(data, size, test_keys(), test_lans());
    if (const auto* m = std::get_if<wire::message>(&keyed)) {
        auto bytes = wire::encode(*m, test_keys(), test_lans().front());
        check(bytes.size() == size && std::memcmp(bytes.data(), data, size) == 0,
              "keyed: encode(decode(x)) differs from x");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace faild;
    auto result = wire::decode(data, size);
    check_keyed(data, size, result);
    if (const auto* e = std::get_if<wire::error>(&result)) {
        check(std::strcmp(wire::to_string(*e), "unknown") != 0, "decode returned an error without a name");
        return 0;
    }
    const auto& m = std::get<wire::message>(result);

    // What decode() accepts is within every limit it documents.
    check(m.kind >= wire::type::inq && m.kind <= wire::type::notice, "message type out of range");
    check(wire::valid_node_id(m.node_id), "invalid node id accepted");
    check(m.interval_us >= wire::min_interval_us && m.interval_us <= wire::max_interval_us,
          "interval out of bounds accepted");
    check(m.addresses.size() <= wire::max_addresses, "too many addresses accepted");
    check(m.heard.size() <= wire::max_heard, "too many heard ids accepted");
    for (const auto& h : m.heard) check(wire::valid_node_id(h), "invalid heard node id accepted");
    check(size <= wire::max_size, "datagram larger than max_size accepted");

    // Round trip: encode(decode(x)) == x, and it decodes to an equal message.
    auto bytes = wire::encode(m);
    check(bytes.size() == size && std::memcmp(bytes.data(), data, size) == 0,
          "encode(decode(x)) differs from x");
    auto again = wire::decode(bytes.data(), bytes.size());
    const auto* m2 = std::get_if<wire::message>(&again);
    check(m2 != nullptr, "encode(decode(x)) does not decode");
    check(same(m, *m2), "encode(decode(x)) decodes to a different message");
    return 0;
}
