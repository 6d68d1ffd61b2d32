// DOC: make_seeds — writes the wire seed corpus (test/fuzz/corpus/wire/seed_*)
// with wire::encode(): one valid datagram per message type, plus the edges
// (largest message, IPv4/IPv6-only, no addresses, flags) and an INQ signed
// with fuzz_wire.cpp's test key.
//
//   make_seeds DIR      (the target fuzz_make_seeds; not part of the build)
#include "faild/core/ip_address.hpp"
#include "faild/core/wire.hpp"

#include <cstdio>
#include <fstream>
#include <string>

using namespace faild;

namespace {

void write(const std::string& dir, const std::string& name, const wire::message& m) {
    auto bytes = wire::encode(m);
    std::ofstream out(dir + "/seed_" + name + ".bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

wire::message base(wire::type kind) {
    wire::message m;
    m.version = wire::version_1;  // the seeds first written; version 2 ones below
    m.kind = kind;
    m.node_id = "host-1.example";
    m.incarnation = 0x5eed0001;
    m.seq = 7;
    m.interval_us = 1'000'000;
    m.addresses = {*ip_address::parse("192.0.2.1"), *ip_address::parse("2001:db8::1")};
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    std::string dir = argv[1];

    auto inq = base(wire::type::inq);
    inq.heard = {"h2", "db_1:a"};
    write(dir, "inq", inq);
    auto inq_flags = inq;
    inq_flags.flags = wire::flag_heard_truncated | wire::flag_probe_only;
    inq_flags.interval_us = wire::min_interval_us;
    write(dir, "inq_flags_min_interval", inq_flags);
    auto ack = base(wire::type::ack);
    ack.seq = 0xffffffff;
    write(dir, "ack", ack);
    auto bye = base(wire::type::bye);
    bye.addresses = {*ip_address::parse("10.0.0.1")};
    bye.interval_us = wire::max_interval_us;
    write(dir, "bye_v4_max_interval", bye);
    auto notice = base(wire::type::notice);
    notice.addresses = {*ip_address::parse("fd00::2")};
    write(dir, "notice_v6", notice);
    auto bare = base(wire::type::ack);
    bare.addresses.clear();
    bare.node_id = "x";
    write(dir, "ack_bare", bare);

    auto big = base(wire::type::inq);
    big.node_id = std::string(wire::max_node_id, 'n');
    big.addresses.assign(wire::max_addresses, *ip_address::parse("2001:db8::7"));
    big.heard.assign(wire::max_heard, std::string(wire::max_node_id, 'h'));
    write(dir, "inq_largest", big);

    // Signed with fuzz_wire.cpp's test key: the keyed decode accepts it.
    keyring keys;
    std::string error;
    if (!keys.parse("00112233445566778899aabbccddeeff\n", "make_seeds", error)) {
        std::fprintf(stderr, "make_seeds: %s\n", error.c_str());
        return 1;
    }
    // Version 2 (the seeds above are version 1, as they were first written):
    // a round INQ, a probe that names its target, and a signed INQ whose MAC
    // binds fuzz_wire.cpp's test LAN.
    auto v2 = inq;
    v2.version = wire::version;
    write(dir, "v2_inq", v2);
    auto probe = base(wire::type::inq);
    probe.version = wire::version;
    probe.flags = wire::flag_probe_only;
    probe.seq = wire::probe_seq_bit | 99;
    probe.target = *ip_address::parse("2001:db8:b::2");
    write(dir, "v2_probe_target", probe);
    inq.version = wire::version_1;
    auto bytes = wire::encode(inq, keys, {family::v4, *prefix::parse("192.0.2.0/24")});
    std::ofstream out(dir + "/seed_inq_signed.bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    auto bytes2 = wire::encode(v2, keys, {family::v4, *prefix::parse("192.0.2.0/24")});
    std::ofstream out2(dir + "/seed_v2_inq_signed.bin", std::ios::binary);
    out2.write(reinterpret_cast<const char*>(bytes2.data()), std::streamsize(bytes2.size()));
    return 0;
}
