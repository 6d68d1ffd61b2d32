#include "faild/engine.hpp"

#include "faild/route_plan.hpp"

#include <algorithm>
#include <variant>

namespace faild {

namespace {

/// Most addresses a peer may advertise that we keep (the wire allows 32).
constexpr std::size_t max_peer_addresses = wire::max_addresses;

constexpr family families[] = {family::v4, family::v6};

/// Up to this many peers on a LAN, round INQs go to each by unicast.
constexpr std::size_t max_unicast_peers = 4;

/// Every this many rounds (the first one included) the round INQ is a
/// broadcast, so nodes that send no INQs of their own are found.
constexpr std::uint32_t broadcast_every = 16;

/// Every this many rounds (the first one included) a mutual round INQ wants
/// an ACK: RTT samples for the retry timeout. A multiple of broadcast_every.
/// On a LAN the timeout's floor (at least t / 10) is far above the RTT, so
/// a sample every 64 rounds is plenty; each one costs every mutual peer a
/// datagram, and usually a wakeup.
constexpr std::uint32_t ack_every = 64;
static_assert(ack_every % broadcast_every == 0);

/// A mutual path's first RTT sample comes as the path comes up, while hosts
/// are busy starting; one slow sample then set the notice confirmation's
/// wait (4 x srtt) for 64 rounds. So the rounds after it ask for ACKs too,
/// this many in all (lost or retried ones give no sample); they go by
/// unicast like any other. Later samples come only every 64th round.
constexpr std::uint8_t rtt_burst = 8;

/// After the first of its kind, dropped datagrams are logged as a count,
/// at most once this often per kind (a flood or a wrong key fills no disk,
/// yet goes on being seen).
constexpr duration drop_log_every = ms(60'000);

/// Housekeeping (forgetting peers, counting drops) is due this long after
/// the last (plenty: peers are forgotten after a minute or more); it runs at
/// the first tick from then on. It wakes the daemon only when no tick comes
/// within the slack after it is due: a requestor's rounds carry it, and a
/// wakeup of its own costs as much CPU as a round's.
constexpr duration housekeeping_every = ms(1000);
constexpr duration housekeeping_slack = ms(1000);

}  // namespace

engine::engine(engine_config cfg, std::vector<lan> lans, timestamp now)
    : cfg_(std::move(cfg)), lans_(std::move(lans)), lan_states_(lans_.size() * 2), incarnation_(cfg_.incarnation) {
    for (auto& ls : lan_states_) ls.next_send = now;
    if (cfg_.seq_seed) {
        seq_rng_ = *cfg_.seq_seed;
        draw_seq_start();
        confirm_counter_ = seq_start_;  // probe-only INQs too: their ACKs count as answers
    }
    collect_own_addresses();
    next_expiry_check_ = now + housekeeping_every;
}

void engine::collect_own_addresses() {
    own_addresses_.clear();
    family_used_[0] = family_used_[1] = false;
    for (const auto& l : lans_)
        for (const auto& p : l.addrs) family_used_[p.addr.fam() == family::v6] = true;
    for (const auto& l : lans_)
        for (const auto& p : l.addrs)
            if (own_addresses_.size() < wire::max_addresses) own_addresses_.push_back(p.addr);
}

bool engine::has_paths_on(std::size_t lan) const {
    return std::any_of(peers_.begin(), peers_.end(), [&](const auto& ip) {
        return std::any_of(ip.second.paths.begin(), ip.second.paths.end(),
                           [&](const auto& kp) { return kp.first.lan == lan; });
    });
}

bool engine::update_lans(std::vector<lan> lans, timestamp now, engine_output& out) {
    // LANs keep their place; only LANs at the end that no path is on may
    // go, and another may then take the place of one (a new name there).
    for (std::size_t li = lans.size(); li < lans_.size(); ++li)
        if (has_paths_on(li)) return false;
    std::vector<std::size_t> lost, back, replaced;
    for (std::size_t li = 0; li < std::min(lans.size(), lans_.size()); ++li) {
        if (lans_[li].name != lans[li].name) {
            if (has_paths_on(li)) return false;
            replaced.push_back(li);
            continue;
        }
        if (lans_[li].carrier && !lans[li].carrier) lost.push_back(li);
        if (!lans_[li].carrier && lans[li].carrier) back.push_back(li);
    }
    lans_ = std::move(lans);
    lan_states_.resize(lans_.size() * 2);
    for (auto& [key, d] : drop_logs_)
        if (d.lan && (*d.lan >= lans_.size() ||
                      std::find(replaced.begin(), replaced.end(), *d.lan) != replaced.end()))
            d.lan.reset();
    // A LAN in a place another had: probed at once, like one appended.
    for (std::size_t li : replaced)
        for (family fam : families) state_of({li, fam}).next_send = now;
    for (std::size_t i = 0; i < lan_states_.size(); ++i)
        if (lan_states_[i].next_send.count() == 0) lan_states_[i].next_send = now;
    collect_own_addresses();
    for (std::size_t li : lost)
        for (auto& [id, p] : peers_)
            for (auto& [k, pa] : p.paths)
                if (k.lan == li) {
                    pa.awaiting = false;
                    pa.ack_deadline = timestamp(-1);
                    pa.confirm_pending = false;
                    apply(p, k, pa.tracker.force_down(now, down_reason::carrier), out);
                }
    // Carrier back: probe at once (the neighbour cache was flushed with the
    // carrier; the sooner the first probe, the sooner it is filled again).
    for (std::size_t li : back)
        for (family fam : families) state_of({li, fam}).next_send = now;
    if (!lost.empty() || !back.empty()) out.paths_changed = true;
    return true;
}

duration engine::confirm_timeout(const path& pa) const {
    duration t = pa.srtt.count() > 0 ? pa.srtt * 4 : ms(10);
    return std::clamp<duration>(t, ms(5), std::max<duration>(ms(5), cfg_.interval));
}

std::optional<duration> engine::retry_timeout(const path& pa) const {
    // Without an RTT sample there is nothing to derive it from: the round's
    // end decides, as without fast confirmation.
    if (!cfg_.fast_confirm || pa.srtt.count() <= 0 || !pa.hop) return std::nullopt;
    duration floor = cfg_.confirm_floor.count() > 0 ? cfg_.confirm_floor : std::max<duration>(ms(2), cfg_.interval / 10);
    duration rto = std::max(floor, pa.srtt + pa.rttvar * 4);
    if (rto >= cfg_.interval) return std::nullopt;
    return rto;
}

void engine::check_ack_deadlines(timestamp now, engine_output& out) {
    for (auto& [id, p] : peers_)
        for (auto& [k, pa] : p.paths) {
            if (!pa.retry_due(now)) continue;
            pa.ack_deadline = timestamp(-1);  // judged now, once
            pa.late = true;
            // Only while the peer answers on another path: if it answers on
            // none (it stalls, or it has no other LAN) there is nothing to
            // fail over to, and the round's end decides, so a peer that
            // pauses for a few timeouts keeps its paths.
            if (!answers_elsewhere(p, k, now)) continue;
            pa.miss_counted = true;
            pa.last_round_good = false;
            pa.rounds.record(now, false);
            apply(p, k, pa.tracker.miss(now), out);
            // Down now (f misses): the rounds and the warm-up probes take over.
            if (pa.tracker.state() != path_state::up || !lans_[k.lan].probe_destination(k.fam)) continue;
            if (auto rto = retry_timeout(pa)) send_retry(p, k, pa, *rto, now, out);
        }
}

bool engine::answers_elsewhere(const peer& p, path_key self, timestamp now) const {
    const bool mutual = mutual_with(p);
    return std::any_of(p.paths.begin(), p.paths.end(), [&](const auto& other) {
        const path& o = other.second;
        return !(other.first == self) && o.tracker.state() == path_state::up && o.tracker.missed() == 0 &&
               !o.late && !o.retry_due(now) && !(mutual && now >= o.inq_deadline);
    });
}

void engine::send_retry(peer& p, path_key k, path& pa, duration rto, timestamp now, engine_output& out) {
    // A probe-only INQ to the peer's address on the path (answered, never a
    // round for the peer). Its sequence number has the top bit set, like a
    // notice confirmation's.
    pa.awaiting = true;
    pa.awaited_seq = wire::probe_seq_bit | (++confirm_counter_ & wire::max_round_seq);
    pa.note_sent(pa.awaited_seq);
    pa.inq_sent = now;
    pa.miss_counted = pa.late = false;
    pa.retried = pa.retry_in_flight = true;
    pa.ack_deadline = now + rto;
    auto probe = make(wire::type::inq, pa.awaited_seq);
    probe.flags |= wire::flag_probe_only;
    out.sends.push_back({k.lan, *pa.hop, cfg_.port, wire::encode(probe, cfg_.keys)});
    out.events.emplace_back("path", severity::debug, "probe_retry")
        .kv("peer", p.node_id)
        .kv("lan", lans_[k.lan].name)
        .kv("family", to_string(k.fam))
        .kv("missed", pa.tracker.missed())
        .kv("timeout_us", static_cast<long long>(rto.count()));
}

bool engine::count_good(const peer& p, path& pa, timestamp now) {
    if (!mutual_with(p)) return true;
    if (pa.good_counted_at >= timestamp(0) && now - pa.good_counted_at < peer_interval(p) / 2) return false;
    pa.good_counted_at = now;
    return true;
}

duration engine::mutual_slack(const peer& p, const path& pa) const {
    // The retry timeout when there is one (RTT samples come from the ACK
    // rounds: every 64th, and the first few); else half the peer's
    // interval, as a responder allows.
    auto rto = retry_timeout(pa);
    duration half = peer_interval(p) / 2;
    return rto ? std::min(*rto, half) : half;
}

void engine::check_mutual_deadlines(timestamp now, engine_output& out) {
    for (auto& [id, p] : peers_) {
        if (!mutual_with(p)) continue;
        for (auto& [k, pa] : p.paths) {
            if (now < pa.inq_deadline) continue;
            const duration interval = peer_interval(p);
            // Fast confirmation, when the peer's INQ of this round did come
            // in on another LAN (a stall delays them all: then the rounds
            // alone decide) and the path is up with an RTT to time a retry.
            const path_key self = k;  // not a structured binding: the lambda captures it (clang < 16)
            const timestamp missing_since = pa.last_inq_at;
            bool round_came_elsewhere =
                missing_since.count() >= 0 && std::any_of(p.paths.begin(), p.paths.end(), [&](const auto& other) {
                    return !(other.first == self) && other.second.last_inq_at > missing_since + interval / 2;
                });
            pa.inq_deadline += interval;
            if (pa.inq_deadline <= now) pa.inq_deadline = now + interval;  // after a stall (suspend)
            pa.last_round_good = false;
            pa.rounds.record(now, false);
            apply(p, k, pa.tracker.miss(now), out);
            if (pa.tracker.state() != path_state::up || pa.awaiting || !pa.hop) continue;
            if (!round_came_elsewhere || !answers_elsewhere(p, k, now)) continue;
            if (!lans_[k.lan].probe_destination(k.fam)) continue;
            if (auto rto = retry_timeout(pa)) send_retry(p, k, pa, *rto, now, out);
        }
    }
}

void engine::notify(peer& p, path_key dead, engine_output& out) {
    // Our addresses on the dead LAN in that family name it for the peer.
    wire::message m = make(wire::type::notice, 0);
    m.addresses.clear();
    for (const auto& a : lans_[dead.lan].addrs)
        if (a.addr.fam() == dead.fam) m.addresses.push_back(a.addr);
    if (m.addresses.empty()) return;  // nothing of ours the peer could route there
    for (const auto& [k, pa] : p.paths) {
        if (k.lan == dead.lan || pa.tracker.state() != path_state::up || !pa.hop) continue;
        if (!lans_[k.lan].probe_destination(k.fam)) continue;
        out.sends.push_back({k.lan, *pa.hop, cfg_.port, wire::encode(m, cfg_.keys)});
        out.events.emplace_back("path", severity::info, "notice_sent")
            .kv("peer", p.node_id)
            .kv("lan", lans_[dead.lan].name)
            .kv("family", to_string(dead.fam))
            .kv("via", lans_[k.lan].name);
        return;
    }
}

void engine::on_notice(peer& p, std::size_t arrived_on, const wire::message& m, timestamp now, engine_output& out) {
    for (const auto& a : m.addresses) {
        for (std::size_t li = 0; li < lans_.size(); ++li) {
            if (li == arrived_on || !lans_[li].in_prefixes(a)) continue;
            auto it = p.paths.find({li, a.fam()});
            if (it == p.paths.end()) continue;
            path& pa = it->second;
            const path_key k = it->first;
            if (pa.tracker.state() == path_state::down || pa.confirm_pending || !pa.hop) continue;
            if (!lans_[li].probe_destination(k.fam)) continue;
            out.events.emplace_back("path", severity::info, "notice_received")
                .kv("peer", p.node_id)
                .kv("lan", lans_[li].name)
                .kv("family", to_string(k.fam));
            // Check it ourselves: a probe the peer must answer on that path.
            // Confirmation sequence numbers have the top bit set, so they are
            // never a round's.
            pa.confirm_pending = true;
            pa.confirm_seq = wire::probe_seq_bit | (++confirm_counter_ & wire::max_round_seq);
            pa.confirm_deadline = now + confirm_timeout(pa);
            auto probe = make(wire::type::inq, pa.confirm_seq);
            probe.flags |= wire::flag_probe_only;
            out.sends.push_back({li, *pa.hop, cfg_.port, wire::encode(probe, cfg_.keys)});
        }
    }
}

void engine::check_confirmations(timestamp now, engine_output& out) {
    for (auto& [id, p] : peers_)
        for (auto& [k, pa] : p.paths)
            if (pa.confirm_pending && now >= pa.confirm_deadline) {
                pa.confirm_pending = false;
                apply(p, k, pa.tracker.force_down(now, down_reason::peer_notice), out);
            }
}

timestamp engine::aligned_at_or_after(timestamp at) const {
    if (!cfg_.wall_offset) return at;
    const long long t = cfg_.interval.count();
    const long long r = (((at + *cfg_.wall_offset).count() % t) + t) % t;
    return r == 0 ? at : at + duration(t - r);
}

duration engine::peer_interval(const peer& p) const {
    return p.interval_us ? duration(p.interval_us) : cfg_.interval;
}

wire::message engine::make(wire::type kind, std::uint32_t seq) const {
    wire::message m;
    m.kind = kind;
    m.node_id = cfg_.node_id;
    m.incarnation = incarnation_;
    m.seq = seq;
    m.interval_us = std::uint32_t(cfg_.interval.count());
    m.addresses = own_addresses_;
    return m;
}

path& engine::ensure_path(peer& p, path_key k, timestamp now, engine_output& out, bool heard_here) {
    auto it = p.paths.find(k);
    if (it != p.paths.end()) return it->second;
    auto& pa = p.paths.emplace(k, path(path_tracker(cfg_.fail_after, cfg_.up_after, now))).first->second;
    // A responder expects the requestor's next INQ within 1.5 intervals.
    pa.inq_deadline = now + peer_interval(p) * 3 / 2;
    // A requestor counts the round in progress: the peer may be answering
    // the INQ we just sent (that answer is how we usually meet it). A path
    // learnt from an address list is not blamed if that first round goes
    // unanswered: its answer may have come before the path existed.
    pa.awaiting = state_of(k).rounds > 0;
    pa.grace = !heard_here;
    pa.awaited_seq = last_round_seq(state_of(k));
    if (pa.awaiting) pa.note_sent(pa.awaited_seq);
    out.events.emplace_back("path", severity::debug, "path_new")
        .kv("peer", p.node_id)
        .kv("lan", lans_[k.lan].name)
        .kv("family", to_string(k.fam));
    return pa;
}

void engine::learn(peer& p, const wire::message& m, timestamp now, engine_output& out, path_key heard) {
    if (p.incarnation != m.incarnation) {
        if (p.incarnation != 0)
            out.events.emplace_back("peer", severity::info, "peer_restarted")
                .kv("peer", p.node_id)
                .kv("incarnation", m.incarnation);
        p.incarnation = m.incarnation;
    }
    p.interval_us = m.interval_us;
    p.last_seen = now;
    std::vector<ip_address> claimed(m.addresses.begin(),
                                    m.addresses.begin() + std::ptrdiff_t(std::min(m.addresses.size(), max_peer_addresses)));
    if (claimed != p.addresses) {
        p.addresses = std::move(claimed);
        out.paths_changed = true;  // the set of destinations changed
    }
    if (m.kind == wire::type::inq && !(m.flags & wire::flag_probe_only)) {
        p.requestor = true;
        const bool was_mutual = mutual_with(p);
        p.mutual = (m.flags & wire::flag_mutual) != 0;
        if (mutual_with(p) && !was_mutual)
            // From now on its INQs answer ours: no ACK awaited for the round
            // in progress, and its next INQ on each LAN is due in 1.5
            // intervals (the datagram in hand sets this path's own).
            for (auto& [k, pa] : p.paths) {
                if (!pa.retry_in_flight) {
                    pa.awaiting = false;
                    pa.ack_deadline = timestamp(-1);
                }
                pa.inq_deadline = now + peer_interval(p) * 3 / 2;
            }
    }
    // A down path on a LAN-family where the peer no longer claims an address
    // (it left that LAN, or was reconfigured) is forgotten with its next hop,
    // so nothing is routed on the strength of old claims.
    for (auto it = p.paths.begin(); it != p.paths.end();) {
        const path_key k = it->first;  // not a structured binding: lambdas capture it (clang < 16)
        const path& pa = it->second;
        bool claimed = std::any_of(p.addresses.begin(), p.addresses.end(), [&](const ip_address& a) {
            return a.fam() == k.fam && a.is_routable_unicast() && k.lan < lans_.size() && lans_[k.lan].in_prefixes(a);
        });
        // Never the path this datagram came in on: the peer speaks on it now
        // (and the caller holds it).
        if (pa.tracker.state() == path_state::down && !claimed && !(k == heard)) {
            out.events.emplace_back("path", severity::info, "path_forgotten")
                .kv("peer", p.node_id)
                .kv("lan", lans_[k.lan].name)
                .kv("family", to_string(k.fam))
                .kv("reason", "no advertised address in our prefixes");
            it = p.paths.erase(it);
            out.paths_changed = true;
        } else {
            ++it;
        }
    }
    // A path for every LAN-family on which the peer claims an address: so a
    // LAN that is already dead when we first meet the peer is still watched
    // (it goes from init to down after f misses).
    for (std::size_t li = 0; li < lans_.size(); ++li)
        for (const auto& a : p.addresses)
            if (a.is_routable_unicast() && lans_[li].in_prefixes(a)) ensure_path(p, {li, a.fam()}, now, out, false);
}

void engine::apply(peer& p, path_key k, const std::optional<transition>& t, engine_output& out) {
    if (!t) return;
    const bool down = t->to == path_state::down;
    path& pa = p.paths.at(k);
    if (down) pa.rtt_rounds = 0;  // none of the first RTT rounds left over for its return (ARP/ND then)
    else pa.was_up = true;
    auto& e = out.events.emplace_back("path", down ? severity::warning : severity::info,
                                      down ? "path_down" : "path_up");
    e.kv("peer", p.node_id).kv("lan", lans_[k.lan].name).kv("family", to_string(k.fam)).kv("from", to_string(t->from));
    e.kv("missed", t->missed).kv("good", t->good);
    if (down) e.kv("reason", to_string(t->reason));
    out.paths_changed = true;
    if (down && t->reason != down_reason::peer_notice) notify(p, k, out);
    if (down && cfg_.damping.enabled) {
        if (pa.damping.flap(cfg_.damping, pa.tracker.since()))
            out.events.emplace_back("path", severity::warning, "path_suppressed")
                .kv("peer", p.node_id)
                .kv("lan", lans_[k.lan].name)
                .kv("family", to_string(k.fam))
                .kv("penalty", static_cast<long long>(pa.damping.penalty()))
                .kv("note", "flapping: routed around until the penalty decays");
    }
}

void engine::check_damping(timestamp now, engine_output& out) {
    if (!cfg_.damping.enabled) return;
    for (auto& [id, p] : peers_)
        for (auto& [k, pa] : p.paths)
            if (pa.damping.suppressed() && now >= pa.damping.reuse_at(cfg_.damping) &&
                pa.damping.decay(cfg_.damping, now)) {
                out.events.emplace_back("path", severity::info, "path_reused")
                    .kv("peer", p.node_id)
                    .kv("lan", lans_[k.lan].name)
                    .kv("family", to_string(k.fam))
                    .kv("state", to_string(pa.tracker.state()));
                out.paths_changed = true;
            }
}

void engine::renew_incarnation(engine_output& out) {
    previous_incarnation_ = incarnation_;
    // One more: with keys, incarnations must grow (an older one's datagrams
    // are replays), and a restart's, the wall-clock second, is far above
    // (one renewal takes at least 2^30 rounds: 12 days at the shortest
    // interval).
    if (++incarnation_ == 0) incarnation_ = 1;
    for (auto& ls : lan_states_) ls.rounds = 0;
    draw_seq_start();
    out.incarnation_renewed = true;
    out.events.emplace_back("daemon", severity::info, "incarnation_renewed")
        .kv("incarnation", incarnation_)
        .kv("previous", previous_incarnation_)
        .kv("reason", "round sequence numbers used up");
}

void engine::draw_seq_start() {
    if (!cfg_.seq_seed) return;
    // splitmix64: unpredictable enough for its job (the seed comes from the
    // system's entropy), and the same seed gives the same starts in tests.
    std::uint64_t z = (seq_rng_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    seq_start_ = std::uint32_t(z % (std::uint64_t(seq_limit() / 2) + 1));
}

void engine::send_inq(path_key k, timestamp now, engine_output& out) {
    auto& ls = state_of(k);
    const std::uint32_t round = ls.rounds;  // 0 for the first
    // Every 64th round (the first one too) asks mutual peers for their ACK:
    // RTT samples for the retry timeout, and a check of our own. So does
    // every round while a mutual path that is up has no RTT yet, and the
    // rounds after its first sample (rtt_burst).
    const bool regular = round % ack_every == 0;
    bool ack_round = regular, unmeasured = false;
    for (auto& [id, p] : peers_) {
        auto it = p.paths.find(k);
        if (it == p.paths.end() || !mutual_with(p) || it->second.tracker.state() != path_state::up) continue;
        path& pa = it->second;
        if (pa.srtt.count() == 0) {
            ack_round = unmeasured = true;
        } else if (pa.rtt_rounds > 0) {
            --pa.rtt_rounds;
            ack_round = true;
        }
    }
    // Close the round: every path still waiting for its ACK missed it.
    for (auto& [id, p] : peers_) {
        auto it = p.paths.find(k);
        if (it == p.paths.end()) continue;
        path& pa = it->second;
        // A mutual path's retry is judged by its own timeout, not by our rounds.
        if (mutual_with(p) && pa.retry_in_flight && !ack_round) continue;
        if (pa.awaiting && pa.grace) {
            pa.awaiting = pa.grace = false;
        } else if (pa.awaiting) {
            pa.awaiting = false;
            pa.last_round_good = false;
            // Each probe counts once: not again when fast confirmation
            // counted it at its deadline, and a retry whose deadline is still
            // ahead is not blamed yet (its late ACK will still count).
            const bool retry_not_due = pa.retry_in_flight && now < pa.ack_deadline;
            if (!pa.miss_counted && !retry_not_due) {
                pa.rounds.record(now, false);
                apply(p, k, pa.tracker.miss(now), out);
            }
        }
    }
    // A family in which we have no routable address on any LAN can never
    // be routed (destinations and sources are our prefixes'): no probes for
    // it, so a LAN with only IPv6 link-local addresses costs nothing. Its
    // paths, if any, then miss their rounds like a LAN we cannot probe.
    auto dst = family_used_[k.fam == family::v6] ? lans_[k.lan].probe_destination(k.fam) : std::nullopt;
    ++ls.rounds;
    auto m = make(wire::type::inq, last_round_seq(ls));
    if (cfg_.mutual) m.flags |= wire::flag_mutual;
    if (cfg_.mutual && ack_round) m.flags |= wire::flag_ack_wanted;
    for (auto& [id, p] : peers_) {
        auto it = p.paths.find(k);
        if (it == p.paths.end()) continue;
        path& pa = it->second;
        // Responders read heard lists, and so do mutual requestors: a
        // responder is listed when its ACK to our last INQ came back, a
        // mutual peer while its last round INQ here is recent. Past the
        // limit the INQ says it is cut short.
        const bool mutual = mutual_with(p);
        if (mutual ? now < pa.heard_until : pa.last_round_good && !p.requestor) {
            if (m.heard.size() < wire::max_heard) m.heard.push_back(id);
            else m.flags |= wire::flag_heard_truncated;
        }
        // A mutual peer answers only the ACK rounds; its INQs are its answers.
        if (mutual && !ack_round) continue;
        // Without a source to probe from, only paths that claim to be up
        // are held to account: they must not stay up on no evidence.
        pa.awaiting = dst || pa.tracker.state() == path_state::up;
        pa.awaited_seq = m.seq;
        pa.inq_sent = now;
        pa.miss_counted = pa.retry_in_flight = pa.late = false;
        if (pa.awaiting) pa.note_sent(m.seq);
        std::optional<duration> rto;
        if (dst && pa.tracker.state() == path_state::up) rto = retry_timeout(pa);
        pa.ack_deadline = rto ? now + *rto : timestamp(-1);
    }
    if (!dst) return;
    // A few peers, each with a known address here: the INQ goes to each of
    // them by unicast, except every 16th round and in the ACK rounds. A
    // broadcast (or multicast) is flooded to every host on the LAN and
    // looped back to us; a unicast datagram costs only its receiver. Every
    // 16th round still broadcasts, so a node that sends no INQs of its own
    // (a responder) is found within 16 rounds; a requestor announces itself.
    const auto bytes = wire::encode(m, cfg_.keys);
    std::vector<ip_address> unicast;
    bool broadcast = regular || unmeasured || round % broadcast_every == 0 || !cfg_.unicast_inq;
    for (const auto& [id, p] : peers_) {
        if (broadcast) break;
        auto it = p.paths.find(k);
        if (it == p.paths.end()) continue;
        if (!it->second.hop || unicast.size() == max_unicast_peers) broadcast = true;
        else unicast.push_back(*it->second.hop);
    }
    if (broadcast || unicast.empty()) {
        out.sends.push_back({k.lan, *dst, cfg_.port, bytes});
    } else {
        for (const auto& a : unicast) out.sends.push_back({k.lan, a, cfg_.port, bytes});
    }

    // Down paths: the same INQ by unicast to the peer's own addresses there
    // (probe-only: no round for a responder; its ACK counts for ours).
    // Only for paths that have been up (a peer that never was, say one of a
    // flood of forged node ids, gets none: its addresses may not exist, and
    // probes to them would wait for ARP and fill the socket's buffer), and at
    // most 16 a round.
    std::vector<std::uint8_t> warm_bytes;
    int budget = 16;
    for (auto& [id, p] : peers_) {
        auto it = p.paths.find(k);
        if (it == p.paths.end() || it->second.tracker.state() != path_state::down || !it->second.was_up) continue;
        int sent = 0;
        for (const auto& a : p.addresses) {
            if (a.fam() != k.fam || !a.is_routable_unicast() || !lans_[k.lan].in_prefixes(a) || sent == 4) continue;
            if (budget-- <= 0) break;
            if (warm_bytes.empty()) {  // made only when a down path needs it
                wire::message warm = m;
                warm.flags |= wire::flag_probe_only;
                warm.heard.clear();
                warm_bytes = wire::encode(warm, cfg_.keys);
            }
            out.sends.push_back({k.lan, a, cfg_.port, warm_bytes});
            ++sent;
        }
    }
}

bool engine::first_of_kind(const char* module, severity level, const char* event, const char* reason,
                           std::optional<std::size_t> lan, const std::optional<ip_address>& from, timestamp now) {
    auto [it, fresh] = drop_logs_.try_emplace({event, reason ? reason : ""});
    drop_log& d = it->second;
    if (fresh) {
        d.module = module;
        d.level = level;
        d.line_at = now;
        return true;
    }
    ++d.pending;
    d.lan = lan;
    d.from = from;
    return false;
}

void engine::log_drop_counts(timestamp now, engine_output& out) {
    for (auto& [key, d] : drop_logs_) {
        if (d.pending == 0 || now - d.line_at < drop_log_every) continue;
        const auto& [event, reason] = key;
        auto& e = out.events.emplace_back(d.module, d.level, event);
        if (!reason.empty()) e.kv("reason", reason);
        e.kv("count", static_cast<long long>(d.pending));
        e.kv("seconds", static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(now - d.line_at).count()));
        if (d.lan && *d.lan < lans_.size()) e.kv("lan", lans_[*d.lan].name);
        if (d.from) e.kv("from", d.from->to_string());
        e.kv("note", d.from ? "since the last line; lan and from: the latest" : "since the last line");
        d.pending = 0;
        d.line_at = now;
    }
}

void engine::note_drop(std::uint64_t& counter, const char* reason, std::size_t li, const ip_address& from, timestamp now,
                       engine_output& out) {
    ++counter;
    if (first_of_kind("wire", severity::warning, "drop", reason, li, from, now))
        out.events.emplace_back("wire", severity::warning, "drop")
            .kv("reason", reason)
            .kv("lan", lans_[li].name)
            .kv("from", from.to_string())
            .kv("note", "first of its kind; later ones are counted in a line a minute at most");
}

void engine::note_oversize(std::size_t li, const ip_address& from, timestamp now, engine_output& out) {
    if (li < lans_.size()) note_drop(drops_.oversize, "oversize", li, from, now, out);
}

void engine::receive(std::size_t li, const ip_address& from, std::uint16_t from_port, const std::uint8_t* data,
                     std::size_t size, timestamp now, engine_output& out, int ttl) {
    if (li >= lans_.size()) return;
    if (ttl >= 0 && ttl < 255) return note_drop(drops_.low_ttl, "low_ttl", li, from, now, out);
    auto decoded = wire::decode(data, size, cfg_.keys);
    if (auto* err = std::get_if<wire::error>(&decoded))
        return note_drop(drops_.wire[std::size_t(*err)], wire::to_string(*err), li, from, now, out);
    const auto& m = std::get<wire::message>(decoded);
    if (m.node_id == cfg_.node_id) {
        if (m.incarnation == incarnation_ || (previous_incarnation_ != 0 && m.incarnation == previous_incarnation_)) {
            ++drops_.own;
        } else {
            ++drops_.id_collision;
            if (first_of_kind("peer", severity::error, "node_id_collision", nullptr, li, from, now)) {
                out.events.emplace_back("peer", severity::error, "node_id_collision")
                    .kv("node_id", m.node_id)
                    .kv("lan", lans_[li].name)
                    .kv("from", from.to_string())
                    .kv("hint", "give each host its own --node-id");
            }
        }
        return;
    }
    if (!lans_[li].on_link(from)) return note_drop(drops_.off_link, "off_link", li, from, now, out);

    if (m.kind == wire::type::bye) {
        auto it = peers_.find(m.node_id);
        if (it != peers_.end() && it->second.incarnation == m.incarnation) {
            out.events.emplace_back("peer", severity::info, "bye").kv("peer", m.node_id).kv("lan", lans_[li].name);
            peers_.erase(it);
            out.paths_changed = true;
        }
        return;
    }

    if (m.kind == wire::type::notice) {  // only from a peer we know, as we know it
        // Or with the next incarnation: the peer renewed it in the tick that
        // sent the notice, ahead of the INQ that would tell us.
        auto known = peers_.find(m.node_id);
        if (known != peers_.end() &&
            (m.incarnation == known->second.incarnation || m.incarnation == known->second.incarnation + 1))
            on_notice(known->second, li, m, now, out);
        return;
    }

    auto known = peers_.find(m.node_id);
    if (known == peers_.end() && peers_.size() >= cfg_.max_peers && !make_room(now, out)) {
        ++drops_.peer_limit;
        return;
    }
    // Replays: with keys, a datagram of an older incarnation is a replay
    // (incarnations then grow with time; see PROTOCOL.md).
    if (known != peers_.end() && !cfg_.keys.empty() && m.incarnation < known->second.incarnation) {
        note_drop(drops_.replay, "replay", li, from, now, out);
        return;
    }
    auto [it, fresh] = peers_.try_emplace(m.node_id);
    peer& p = it->second;
    if (fresh) {
        p.node_id = m.node_id;
        if (may_log(now, out))
            out.events.emplace_back("peer", severity::info, "peer_seen")
                .kv("peer", m.node_id)
                .kv("lan", lans_[li].name)
                .kv("addr", from.to_string());
        out.paths_changed = true;
    }
    // The path we heard on first (it counts the round in progress), then the
    // ones the address list implies.
    const path_key k{li, from.fam()};
    path& pa = ensure_path(p, k, now, out, true);
    // A round's INQ (not a probe-only one) whose sequence number this path
    // saw before, from the same incarnation, is a replay: it must not
    // count. The incarnation is the path's own: after a restart the new
    // one's sequence numbers start again on every LAN, also on those where
    // its first INQ came second (or after a forged incarnation's).
    const bool round_inq = m.kind == wire::type::inq && !(m.flags & wire::flag_probe_only);
    if (round_inq && !fresh && pa.inq_seen && m.incarnation == pa.inq_seq_incarnation && m.seq <= pa.last_inq_seq) {
        note_drop(drops_.replay, "replay", li, from, now, out);
        return;
    }
    if (round_inq) {
        pa.inq_seen = true;
        pa.last_inq_seq = m.seq;
        pa.inq_seq_incarnation = m.incarnation;
    }
    // Only datagrams a replay cannot produce speak for the path: a round's
    // INQ with a new sequence number, or the ACK to the probe we have in
    // flight. A replayed ACK or probe-only INQ (valid MAC and all, sent from
    // anywhere on the LAN) gets its answer but moves nothing.
    const bool answers_probe = pa.awaiting && (m.seq == pa.awaited_seq || pa.is_unanswered(m.seq));
    const bool fresh_evidence =
        round_inq || (m.kind == wire::type::ack && (answers_probe || (pa.confirm_pending && m.seq == pa.confirm_seq)));
    if (!fresh_evidence) {
        if (m.kind == wire::type::inq && lans_[li].probe_destination(k.fam))  // probe-only: answer it
            out.sends.push_back({li, from, from_port, wire::encode(make(wire::type::ack, m.seq), cfg_.keys)});
        return;
    }
    learn(p, m, now, out, k);
    // IPv6 next hops are link-local: a probe answered from a global address
    // (the warm-up probes) does not change it.
    if (pa.hop != from && (from.is_v4() || from.is_link_local() || !pa.hop)) {
        pa.hop = from;
        out.paths_changed = true;  // a next hop (or a destination) may move
    }
    pa.last_heard = now;
    if (pa.confirm_pending) {  // it answers on that path: the notice is refuted
        pa.confirm_pending = false;
        out.events.emplace_back("path", severity::info, "notice_refuted")
            .kv("peer", p.node_id)
            .kv("lan", lans_[li].name)
            .kv("family", to_string(k.fam));
    }

    if (m.kind == wire::type::inq) {
        // Mutual rounds: the peer's INQs are its answers; only the ACK
        // rounds want one. Answer only from a usable source: never from a
        // tentative address.
        const bool mutual = mutual_with(p);
        if (lans_[li].probe_destination(k.fam) && (!mutual || (m.flags & wire::flag_ack_wanted)))
            out.sends.push_back({li, from, from_port, wire::encode(make(wire::type::ack, m.seq), cfg_.keys)});
        if (judged_by_inqs(p) && !(m.flags & wire::flag_probe_only)) {
            // Not listed in a list cut short proves nothing: the INQ itself
            // arrived, so the round counts as good.
            bool listed = std::find(m.heard.begin(), m.heard.end(), cfg_.node_id) != m.heard.end() ||
                          (m.flags & wire::flag_heard_truncated);
            if (mutual) {
                // The next is due one interval on, give or take the retry
                // timeout; we list the peer as heard until a little after.
                pa.last_inq_at = now;
                pa.inq_deadline = now + peer_interval(p) + mutual_slack(p, pa);
                pa.heard_until = now + peer_interval(p) * 3 / 2;
                if (listed) pa.last_round_good = true;
            } else {
                pa.inq_deadline = now + peer_interval(p) * 3 / 2;
            }
            if (!listed || count_good(p, pa, now)) {
                pa.rounds.record(now, listed);
                apply(p, k, listed ? pa.tracker.good(now) : pa.tracker.miss(now, down_reason::one_way), out);
            }
        }
    } else if (m.kind == wire::type::ack) {
        if (cfg_.requestor && answers_probe) {
            // RTT samples only from paths already up: the first answers
            // wait for ARP/ND resolution and would inflate the average for
            // many rounds (and with it the notice confirmation deadline).
            // And only from a probe that was not sent again, answered in
            // its own round (Karn's rule: whose answer is it otherwise?).
            if (pa.tracker.state() == path_state::up && m.seq == pa.awaited_seq && !pa.retried) {
                duration rtt = now - pa.inq_sent;
                if (pa.srtt.count() == 0) {
                    pa.srtt = rtt;
                    pa.rttvar = rtt / 2;
                    if (mutual_with(p)) pa.rtt_rounds = rtt_burst - 1;
                } else {
                    duration dev = pa.srtt > rtt ? pa.srtt - rtt : rtt - pa.srtt;
                    pa.rttvar = (pa.rttvar * 3 + dev) / 4;
                    pa.srtt = (pa.srtt * 3 + rtt) / 4;
                }
            }
            pa.awaiting = pa.grace = false;
            pa.miss_counted = pa.retried = pa.retry_in_flight = pa.late = false;
            pa.ack_deadline = timestamp(-1);
            pa.unanswered_count = 0;
            pa.last_round_good = true;
            // A mutual peer that answers our probe here is heard here, even
            // when its own INQs do not reach us (a switch that drops its
            // broadcasts): listed, it does not take a working path down.
            if (mutual_with(p)) pa.heard_until = now + peer_interval(p) * 3 / 2;
            if (count_good(p, pa, now)) {
                pa.rounds.record(now, true);
                apply(p, k, pa.tracker.good(now), out);
            }
        }
    }
}

bool engine::may_log(timestamp now, engine_output& out) {
    // At most 20 peer lines a second: a flood of node ids must not flood
    // the log. What was held back is counted in one line.
    if (now - log_window_start_ >= ms(1000)) {
        if (logs_held_back_)
            out.events.emplace_back("peer", severity::warning, "log_suppressed")
                .kv("lines", static_cast<long long>(logs_held_back_))
                .kv("what", "peer_seen/peer_evicted")
                .kv("note", "more new node ids than 20 a second: a flood?");
        log_window_start_ = now;
        logs_in_window_ = logs_held_back_ = 0;
    }
    if (logs_in_window_ < 20) {
        ++logs_in_window_;
        return true;
    }
    ++logs_held_back_;
    return false;
}

bool engine::make_room(timestamp now, engine_output& out) {
    // The least recently heard peer without a path up goes; peers we route
    // through are never pushed out by newcomers.
    auto victim = peers_.end();
    for (auto it = peers_.begin(); it != peers_.end(); ++it) {
        bool up = std::any_of(it->second.paths.begin(), it->second.paths.end(),
                              [](const auto& kp) { return kp.second.tracker.state() == path_state::up; });
        if (!up && (victim == peers_.end() || it->second.last_seen < victim->second.last_seen)) victim = it;
    }
    if (victim == peers_.end()) {
        if (first_of_kind("peer", severity::warning, "peer_limit", nullptr, std::nullopt, std::nullopt, now)) {
            out.events.emplace_back("peer", severity::warning, "peer_limit")
                .kv("max_peers", static_cast<long long>(cfg_.max_peers))
                .kv("note", "new node ids are refused while every known peer has a path up");
        }
        return false;
    }
    if (may_log(now, out))
        out.events.emplace_back("peer", severity::warning, "peer_evicted")
            .kv("peer", victim->first)
            .kv("reason", "peer table full");
    peers_.erase(victim);
    out.paths_changed = true;
    return true;
}

void engine::expire_peers(timestamp now, engine_output& out) {
    for (auto it = peers_.begin(); it != peers_.end();) {
        peer& p = it->second;
        bool all_down = !p.paths.empty();
        for (const auto& [k, pa] : p.paths)
            if (pa.tracker.state() != path_state::down) all_down = false;
        if (!all_down) p.unreachable_since = timestamp(-1);
        else if (p.unreachable_since.count() < 0) p.unreachable_since = now;
        bool gone = (all_down && now - p.unreachable_since >= cfg_.forget_after) ||
                    now - p.last_seen >= cfg_.forget_after + peer_interval(p) * 2;
        if (gone) {
            out.events.emplace_back("peer", severity::warning, "peer_lost").kv("peer", p.node_id);
            it = peers_.erase(it);
            out.paths_changed = true;
        } else {
            ++it;
        }
    }
}

void engine::tick(timestamp now, engine_output& out) {
    if (cfg_.requestor) {
        // A LAN-family that used its last round sequence number: a new
        // incarnation before anything of this tick goes out (retries,
        // notices, every LAN's INQ), so none of it carries the old one.
        if (std::any_of(lan_states_.begin(), lan_states_.end(),
                        [&](const lan_state& ls) { return last_round_seq(ls) >= seq_limit(); }))
            renew_incarnation(out);
        check_ack_deadlines(now, out);  // before a round closes: each probe counts once
        check_mutual_deadlines(now, out);
        for (std::size_t li = 0; li < lans_.size(); ++li)
            for (family fam : families) {
                auto& ls = state_of({li, fam});
                if (now < ls.next_send) continue;
                send_inq({li, fam}, now, out);
                if (cfg_.wall_offset) {
                    // The next whole multiple of the interval on the wall
                    // clock, at least half an interval on: the schedule
                    // after a late tick, the grid after an early INQ (the
                    // first one, or carrier back).
                    ls.next_send = aligned_at_or_after(now + cfg_.interval / 2);
                    continue;
                }
                // Keep the schedule (no drift); after a stall, restart from now.
                ls.next_send += cfg_.interval;
                if (ls.next_send <= now) ls.next_send = now + cfg_.interval;
            }
    } else {
        for (auto& [id, p] : peers_)
            for (auto& [k, pa] : p.paths)
                for (unsigned n = 0; now >= pa.inq_deadline; ++n) {
                    pa.inq_deadline += peer_interval(p);
                    // After a long stall (suspend), f misses say all there is.
                    if (n >= cfg_.fail_after) pa.inq_deadline = now + peer_interval(p);
                    pa.rounds.record(now, false);
                    apply(p, k, pa.tracker.miss(now), out);
                }
    }
    check_confirmations(now, out);
    check_damping(now, out);
    if (now >= next_expiry_check_) {
        expire_peers(now, out);
        log_drop_counts(now, out);
        next_expiry_check_ = now + housekeeping_every;
    }
}

bool engine::probe_deadline_due(timestamp now) const {
    for (const auto& [id, p] : peers_)
        for (const auto& [k, pa] : p.paths)
            if (pa.retry_due(now) || (pa.confirm_pending && now >= pa.confirm_deadline) ||
                (mutual_with(p) && now >= pa.inq_deadline))
                return true;
    return false;
}

timestamp engine::next_wakeup() const {
    // Housekeeping rides on the next tick due anyway, if one comes within
    // the slack (a requestor's next round always does at t <= 1 s).
    timestamp next = next_expiry_check_ + housekeeping_slack;
    if (cfg_.requestor)
        for (const auto& ls : lan_states_) next = std::min(next, ls.next_send);
    for (const auto& [id, p] : peers_)
        for (const auto& [k, pa] : p.paths) {
            if (judged_by_inqs(p)) next = std::min(next, pa.inq_deadline);
            if (pa.confirm_pending) next = std::min(next, pa.confirm_deadline);
            if (pa.awaiting && pa.ack_deadline.count() >= 0) next = std::min(next, pa.ack_deadline);
            if (pa.damping.suppressed()) next = std::min(next, pa.damping.reuse_at(cfg_.damping));
        }
    return next;
}

void engine::shutdown(engine_output& out) {
    auto bye = wire::encode(make(wire::type::bye, 0), cfg_.keys);
    for (std::size_t li = 0; li < lans_.size(); ++li)
        for (family fam : families)
            if (auto dst = lans_[li].probe_destination(fam)) out.sends.push_back({li, *dst, cfg_.port, bye});
}

route_set engine::desired_routes() const { return plan_routes(lans_, peers_); }

}  // namespace faild
