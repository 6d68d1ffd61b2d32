// DOC: fake_network — an in-memory multi-LAN network for simulation tests.
//
// LANs are switches; every node plugs ports into them, each port holding one
// address. A datagram sent out of a port reaches, after `latency`, every
// other port of that LAN (broadcast) or the port owning the destination
// address (unicast) — like a socket bound to one interface. A port can be cut
// silently at the switch (everything to and from it is dropped, the node sees
// no carrier change), as scripts/lab does with real namespaces.
// Time is an argument: the simulation loop asks what is due and when.
#pragma once

#include "faild/core/clock.hpp"
#include "faild/core/ip_address.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace faild::platform {

class fake_network {
public:
    using port_id = std::size_t;

    struct delivery {
        port_id to;
        ip_address from;
        std::uint16_t from_port;
        std::vector<std::uint8_t> bytes;
        timestamp at;
    };

    explicit fake_network(duration latency = duration(200)) : latency_(latency) {}

    /// Plug a port with address `addr` (prefix gives the LAN's subnet) into
    /// LAN `lan`, created on first use.
    port_id attach(const std::string& lan, const prefix& addr);

    /// Send from `from` (a port) to `dst` at `now`; `dst` may be the LAN's
    /// broadcast address. Sends succeed even on a cut port, as on Linux.
    void send(port_id from, const ip_address& dst, std::uint16_t dst_port, std::uint16_t src_port,
              const std::vector<std::uint8_t>& bytes, timestamp now);
    /// The same with a forged source address (an on-link attacker can).
    void send_as(port_id from, const ip_address& source, const ip_address& dst, std::uint16_t src_port,
                 const std::vector<std::uint8_t>& bytes, timestamp now);

    /// Cut (or restore) a port at the switch: silent, no carrier change.
    void set_cut(port_id p, bool cut) { set_cut(p, cut, cut); }
    /// One-way faults: drop what reaches the port (`in`) and/or what it sends (`out`).
    void set_cut(port_id p, bool in, bool out);

    /// The earliest pending delivery time, if any.
    std::optional<timestamp> next_delivery() const;
    /// Remove and return the deliveries due at or before `now`, in order.
    std::vector<delivery> take_due(timestamp now);

    const prefix& address(port_id p) const { return ports_[p].addr; }
    std::uint64_t dropped() const { return dropped_; }
    /// Datagrams sent so far (a broadcast counts once).
    std::uint64_t sent() const { return sent_; }

private:
    struct port {
        std::string lan;
        prefix addr;
        bool cut_in = false;   // nothing reaches the port
        bool cut_out = false;  // nothing the port sends leaves it
    };
    void deliver(port_id from, port_id to, const ip_address& source, std::uint16_t src_port,
                 const std::vector<std::uint8_t>& bytes, timestamp now);

    duration latency_;
    std::vector<port> ports_;
    std::deque<delivery> queue_;  // constant latency: arrival order == send order
    std::uint64_t dropped_ = 0;
    std::uint64_t sent_ = 0;
};

}  // namespace faild::platform
