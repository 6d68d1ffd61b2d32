#include "platform/fake/fake_network.hpp"

namespace faild::platform {

fake_network::port_id fake_network::attach(const std::string& lan, const prefix& addr) {
    ports_.push_back({lan, addr, false, false});
    return ports_.size() - 1;
}

void fake_network::set_cut(port_id p, bool in, bool out) {
    ports_.at(p).cut_in = in;
    ports_.at(p).cut_out = out;
}

void fake_network::deliver(port_id from, port_id to, const ip_address& source, std::uint16_t src_port,
                           const std::vector<std::uint8_t>& bytes, timestamp now) {
    if (ports_[from].cut_out || ports_[to].cut_in) {
        ++dropped_;
        return;
    }
    queue_.push_back({to, source, src_port, bytes, now + latency_});
}

void fake_network::send(port_id from, const ip_address& dst, std::uint16_t /*dst_port*/, std::uint16_t src_port,
                        const std::vector<std::uint8_t>& bytes, timestamp now) {
    send_as(from, ports_.at(from).addr.addr, dst, src_port, bytes, now);
}

void fake_network::send_as(port_id from, const ip_address& source, const ip_address& dst, std::uint16_t src_port,
                           const std::vector<std::uint8_t>& bytes, timestamp now) {
    const port& src = ports_.at(from);
    ++sent_;
    bool broadcast = dst == src.addr.broadcast() || dst == ip_address::parse("255.255.255.255");
    for (port_id to = 0; to < ports_.size(); ++to) {
        if (to == from || ports_[to].lan != src.lan) continue;
        if (broadcast || ports_[to].addr.addr == dst) deliver(from, to, source, src_port, bytes, now);
    }
}

std::optional<timestamp> fake_network::next_delivery() const {
    if (queue_.empty()) return std::nullopt;
    return queue_.front().at;
}

std::vector<fake_network::delivery> fake_network::take_due(timestamp now) {
    std::vector<delivery> out;
    while (!queue_.empty() && queue_.front().at <= now) {
        out.push_back(std::move(queue_.front()));
        queue_.pop_front();
    }
    return out;
}

}  // namespace faild::platform
