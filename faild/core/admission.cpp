#include "faild/core/admission.hpp"

namespace faild::admission {

const char* to_string(const drop& d) {
    switch (d.why) {
    case reason::wire: return wire::to_string(d.err);
    case reason::low_ttl: return "low_ttl";
    case reason::old_version: return "old_version";
    case reason::own: return "own";
    case reason::id_collision: return "id_collision";
    case reason::off_link: return "off_link";
    case reason::wrong_target: return "wrong_target";
    case reason::replay: return "replay";
    }
    return "?";
}

std::variant<wire::message, drop> check_datagram(const lan& l, const ip_address& from, const std::uint8_t* data,
                                                 std::size_t size, int ttl, const settings& s) {
    if (ttl >= 0 && ttl < 255) return drop{reason::low_ttl};
    std::vector<wire::lan_binding> bindings;
    if (!s.keys.empty())
        for (const auto& b : l.bindings(from.fam())) bindings.push_back({from.fam(), b});
    auto decoded = wire::decode(data, size, s.keys, bindings);
    if (auto* err = std::get_if<wire::error>(&decoded)) return drop{reason::wire, *err};
    auto& m = std::get<wire::message>(decoded);
    // Version 1's MAC binds neither family nor LAN: with keys only when told.
    if (m.version == wire::version_1 && !s.keys.empty() && !s.wire_v1) return drop{reason::old_version};
    if (m.node_id == s.node_id) return drop{s.seq.ours(m.incarnation) ? reason::own : reason::id_collision};
    if (!l.on_link(from)) return drop{reason::off_link};
    // A probe names the address it was sent to: one relayed to another host
    // (or another LAN) is not answered, so an answer proves who holds it.
    if (m.kind == wire::type::inq && m.target && !l.holds(*m.target)) return drop{reason::wrong_target};
    return std::move(m);
}

std::optional<drop> check_sender(const wire::message& m, const peer* known, std::optional<std::uint32_t> forgotten,
                                 bool keyed) {
    if (!keyed) return std::nullopt;
    // With keys, a forgotten peer's incarnation is remembered: a replay of
    // it (after its BYE, say) brings nothing back.
    if (!known && forgotten && m.incarnation <= *forgotten) return drop{reason::replay};
    // A datagram of an older incarnation is a replay (incarnations grow
    // with time; see PROTOCOL.md).
    if (known && m.incarnation < known->incarnation) return drop{reason::replay};
    return std::nullopt;
}

std::optional<drop> check_round_inq(const wire::message& m, const path& pa, bool new_peer, bool keyed) {
    // With keys, a round's INQ whose sequence number this path saw before,
    // from the same incarnation, is a replay: it must not count. The
    // incarnation is the path's own: after a restart the new one's
    // sequence numbers start again on every LAN, also on those where its
    // first INQ came second. Without keys there is no such mark: anyone
    // could raise it and lock the peer's own INQs out.
    if (keyed && !new_peer && pa.inq_seen && m.incarnation == pa.inq_seq_incarnation && m.seq <= pa.last_inq_seq)
        return drop{reason::replay};
    return std::nullopt;
}

}  // namespace faild::admission
