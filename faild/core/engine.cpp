#include "faild/core/engine.hpp"

#include "faild/core/address_proofs.hpp"
#include "faild/core/admission.hpp"
#include "faild/core/peer_learning.hpp"
#include "faild/core/peer_upkeep.hpp"
#include "faild/core/round_plan.hpp"
#include "faild/core/route_plan.hpp"
#include "faild/core/stall_guard.hpp"

#include <algorithm>
#include <variant>

namespace faild {

namespace {

constexpr family families[] = {family::v4, family::v6};

/// Housekeeping (forgetting peers, counting drops) is due this long after
/// the last (plenty: peers are forgotten after a minute or more); it runs at
/// the first tick from then on. It wakes the daemon only when no tick comes
/// within the slack after it is due: a requestor's rounds carry it, and a
/// wakeup of its own costs as much CPU as a round's.
constexpr duration housekeeping_every = ms(1000);
constexpr duration housekeeping_slack = ms(1000);

/// After a notice the peer refuted, notices for that path need two
/// unanswered probes for this long (see on_notice).
constexpr duration notice_doubt = ms(10'000);

/// Proof probes a LAN-family sends at most in one round (the rest follow
/// in the next ones).
constexpr int proof_budget = 16;

}  // namespace

engine::engine(engine_config cfg, std::vector<lan> lans, timestamp now)
    : cfg_(std::move(cfg)),
      lans_(std::move(lans)),
      lan_states_(lans_.size() * 2),
      book_(std::move(cfg_.proofs)),
      seq_(cfg_.incarnation, cfg_.seq_seed, cfg_.round_seq_limit, lans_.size() * 2) {
    cfg_.proofs = address_book{};
    for (auto& l : lans_) l.remember(lan{});
    for (auto& ls : lan_states_) ls.next_send = now;
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
    // Each LAN keeps the prefixes it had of a family it has no address of
    // now (its interface gone, say); a new one in a place starts afresh.
    for (std::size_t li = 0; li < lans.size(); ++li)
        lans[li].remember(li < lans_.size() && lans_[li].name == lans[li].name ? lans_[li] : lan{});
    lans_ = std::move(lans);
    lan_states_.resize(lans_.size() * 2);
    seq_.resize(lans_.size() * 2);
    drop_log_.forget_lans([&](std::size_t li) {
        return li >= lans_.size() || std::find(replaced.begin(), replaced.end(), li) != replaced.end();
    });
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
                    pa.wait.stop();
                    pa.notice_check.reset();
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
    duration t = pa.rtt.measured() ? pa.rtt.srtt() * 4 : ms(10);
    return std::clamp<duration>(t, ms(5), std::max<duration>(ms(5), cfg_.interval));
}

std::optional<duration> engine::retry_timeout(const path& pa) const {
    // Without an RTT sample there is nothing to derive it from: the round's
    // end decides, as without fast confirmation.
    if (!cfg_.fast_confirm || !pa.rtt.measured() || !pa.hop) return std::nullopt;
    duration floor = cfg_.confirm_floor.count() > 0 ? cfg_.confirm_floor : std::max<duration>(ms(2), cfg_.interval / 10);
    duration rto = pa.rtt.rto(floor);
    if (rto >= cfg_.interval) return std::nullopt;
    return rto;
}

void engine::judge_ack(peer& p, path_key k, path& pa, timestamp now, engine_output& out) {
    const auto due = pa.wait.deadline();
    pa.wait.judge();  // judged now, once: overdue
    // Only while the peer answers on another path: if it answers on
    // none (it stalls, or it has no other LAN) there is nothing to
    // fail over to, and the round's end decides, so a peer that
    // pauses for a few timeouts keeps its paths.
    if (!answers_elsewhere(p, k, now)) return;
    pa.wait.count();
    pa.last_round_good = false;
    const auto rto = retry_timeout(pa);
    const bool can_retry = rto && lans_[k.lan].probe_destination(k.fam);
    // A retry's silence is our own probe's; a round INQ's may come of
    // the peer's view of us (mutual or not): without keys only
    // suspected, and the retry checks it.
    // A retry judged late (we stalled) is held for the next retry, like
    // any deadline judged late (stall_guard).
    // A retry's silence counts only if the peer spoke elsewhere since it
    // left (its control probe answered): a peer that answers nowhere
    // stalled, more likely than this path failed just then.
    auto retry = pa.wait.retry_probe();
    const bool on_time = !(due && stall_guard::judged_late(*due, now, cfg_.interval));
    if (retry && on_time && !heard_elsewhere_since(p, k, pa.wait.sent())) return hold_peer_silence(p, k, pa, now, out);
    if (retry && on_time) on_silence(p, k, pa, retry, now, out);
    else miss(p, k, pa, down_reason::missed, retry.has_value(), now, out, can_retry, due);
    // Down now (f misses): the rounds and the warm-up probes take over.
    if (pa.tracker.state() != path_state::up || !can_retry) return;
    send_retry(p, k, pa, *rto, now, out);
}

bool engine::answers_elsewhere(const peer& p, path_key self, timestamp now) const {
    const bool mutual = mutual_with(p);
    return std::any_of(p.paths.begin(), p.paths.end(), [&](const auto& other) {
        const path& o = other.second;
        return !(other.first == self) && o.tracker.state() == path_state::up && o.tracker.missed() == 0 &&
               o.owed == 0 && !o.wait.overdue() && !o.wait.due(now) && !(mutual && o.expect.overdue(now));
    });
}

void engine::send_retry(peer& p, path_key k, path& pa, duration rto, timestamp now, engine_output& out) {
    // A probe-only INQ to the peer's address on the path (answered, never a
    // round for the peer). Its sequence number has the top bit set, like a
    // notice confirmation's. It waits for its control's answer too: at
    // least the control path's own timeout (a slower LAN there must not
    // make every retry look like the peer's silence).
    const auto control = control_path(p, k);
    const duration wait =
        control ? std::max(rto, retry_timeout(*control->second).value_or(confirm_timeout(*control->second))) : rto;
    pa.wait.retry_sent(launch(k, pa, purposeful_probe::on_silence::confirm_miss, wait, now, out), now);
    pa.unanswered.note(pa.wait.seq());
    pa.retried = true;
    if (control) {
        const std::uint32_t seq = seq_.next_probe_seq();
        control->second->controls.note(seq);
        send_probe(control->first.lan, *control->second->hop, seq, out);
    }
    out.effects.push_back(fx::probe_retry{ref(p, k), pa.tracker.missed(), wait});
}

std::optional<std::pair<path_key, path*>> engine::control_path(peer& p, path_key self) {
    std::vector<std::pair<path_key, path*>> paths;
    std::vector<round_plan::control_candidate> candidates;
    for (auto& [k, o] : p.paths) {
        if (k == self || o.tracker.state() != path_state::up || !o.hop || !lans_[k.lan].probe_destination(k.fam))
            continue;
        paths.emplace_back(k, &o);
        candidates.push_back({k.lan, k.fam});
    }
    const auto i = round_plan::choose_control(self.lan, self.fam, candidates);
    if (!i) return std::nullopt;
    return paths[*i];
}

bool engine::heard_elsewhere_since(const peer& p, path_key self, timestamp since) const {
    // Strictly after: a datagram read late gets the tick's time at the
    // earliest (the arrival clock), and may have left before the retry.
    return std::any_of(p.paths.begin(), p.paths.end(),
                       [&](const auto& o) { return !(o.first == self) && o.second.last_heard > since; });
}

void engine::hold_peer_silence(peer& p, path_key k, path& pa, timestamp now, engine_output& out) {
    if (pa.owed == 0) pa.owed_reason = down_reason::missed;
    pa.owed = std::min(pa.owed + 1, cfg_.fail_after);
    out.effects.push_back(fx::miss_held{ref(p, k), fx::miss_held::why::peer_silent, pa.owed});
    // The retry stays awaited (its late answer still shows the path
    // works); the next retry goes when the peer speaks elsewhere.
    pa.hold = path::hold_state::held;
    // The check settles it if the peer stays silent everywhere (it is
    // gone): it waits as for a mass silence. If the peer speaks elsewhere
    // first, the path is retried at once (retry_held).
    if (pa.suspicion_check && pa.suspicion_check->last_chance) return;
    const duration wait = stall_guard::fresh_wait(retry_timeout(pa).value_or(confirm_timeout(pa)), peer_interval(p), true);
    pa.suspicion_check = launch(k, pa, purposeful_probe::on_silence::settle, wait, now, out, true);
}

void engine::note_held(const peer& p, path_key k, const path& pa, bool late, engine_output& out) const {
    out.effects.push_back(
        fx::miss_held{ref(p, k), late ? fx::miss_held::why::stall : fx::miss_held::why::mass_silence, pa.owed});
}

void engine::retry_held(peer& p, path_key heard_on, timestamp now) {
    // Sent by the next tick, with its time: a datagram read late (its
    // arrival stamp is older) must not date the retry, or its timeout could
    // pass before it leaves.
    for (auto& [k, o] : p.paths)
        if (o.hold == path::hold_state::held && !(k == heard_on)) {
            o.hold = path::hold_state::retry_due;
            o.held_retry_at = now;
        }
}

void engine::release_hold(path& pa) {
    if (pa.hold == path::hold_state::none) return;
    pa.hold = path::hold_state::none;
    // The retry the hold kept awaited is moot: the path works.
    if (pa.wait.state() == wait_state::retry_missed) pa.wait.stop();
}

void engine::send_held_retries(peer& p, timestamp now, engine_output& out) {
    for (auto& [k, o] : p.paths) {
        if (o.hold != path::hold_state::retry_due || now < o.held_retry_at) continue;
        o.hold = path::hold_state::none;
        const auto rto = retry_timeout(o);
        if (o.tracker.state() == path_state::up && rto && o.hop && lans_[k.lan].probe_destination(k.fam))
            send_retry(p, k, o, *rto, now, out);
    }
}

bool engine::count_good(const peer& p, path& pa, timestamp now) {
    return pa.expect.count_good(now, peer_interval(p), mutual_with(p));
}

duration engine::mutual_slack(const peer& p, const path& pa) const {
    // The retry timeout when there is one (RTT samples come from the ACK
    // rounds: every 64th, and the first few); else half the peer's
    // interval, as a responder allows.
    auto rto = retry_timeout(pa);
    duration half = peer_interval(p) / 2;
    return rto ? std::min(*rto, half) : half;
}

void engine::lapse_mutual(peer& p, path_key k, path& pa, timestamp now, engine_output& out) {
    const duration interval = peer_interval(p);
    const timestamp missing_since = pa.expect.last_inq();
    const timestamp due = pa.expect.due();
    if (!pa.expect.lapse(now, interval)) return;
    // Fast confirmation, when the peer's INQ of this round did come
    // in on another LAN (a stall delays them all: then the rounds
    // alone decide) and the path is up with an RTT to time a retry.
    bool round_came_elsewhere =
        missing_since.count() >= 0 && std::any_of(p.paths.begin(), p.paths.end(), [&](const auto& other) {
            return !(other.first == k) && other.second.expect.last_inq() > missing_since + interval / 2;
        });
    pa.last_round_good = false;
    const auto rto = retry_timeout(pa);
    const bool retry = pa.tracker.state() == path_state::up && !pa.wait.awaiting() && pa.hop && round_came_elsewhere &&
                       answers_elsewhere(p, k, now) && lans_[k.lan].probe_destination(k.fam) && rto;
    miss(p, k, pa, down_reason::missed, false, now, out, retry, due);
    if (retry && pa.tracker.state() == path_state::up) send_retry(p, k, pa, *rto, now, out);
}

void engine::judge_deadlines(timestamp now, engine_output& out) {
    for (auto& [id, p] : peers_) {
        const bool by_inqs = judged_by_inqs(p);
        // A peer's ACK waits first, then its INQ deadlines: a path's
        // verdict can make the peer answer "elsewhere" or not for the
        // others (a leaving peer's lapse counts nothing), so each is judged
        // seeing the others as they were judged before.
        for (auto& [k, pa] : p.paths)
            if (now >= pa.next_deadline(by_inqs) && pa.wait.due(now)) judge_ack(p, k, pa, now, out);
        for (auto& [k, pa] : p.paths) {
            if (now < pa.next_deadline(by_inqs) || !by_inqs || !pa.expect.overdue(now)) continue;
            if (cfg_.requestor) {
                lapse_mutual(p, k, pa, now, out);
                continue;
            }
            // Each lapse judged against its own deadline (stall_guard).
            const timestamp first = pa.expect.due();
            const unsigned n = pa.expect.lapses(now, peer_interval(p), cfg_.fail_after);
            for (unsigned j = 0; j < n; ++j)
                miss(p, k, pa, down_reason::missed, false, now, out, false, first + peer_interval(p) * j);
        }
        send_held_retries(p, now, out);
    }
}

void engine::miss(peer& p, path_key k, path& pa, down_reason why, bool confirmed, timestamp now, engine_output& out,
                  bool retry_follows, std::optional<timestamp> due) {
    if (p.leaving_until.count() >= 0) return;  // a BYE is being checked: nothing of it is judged
    // Our side of the LAN-family cannot send yet (the link-local address is
    // still tentative, as right after the links came up): a path not yet
    // proven stays so, rather than go down for our own silence. (A LAN
    // without carrier is dead, not pending: its paths fail as ever.)
    const lan& l = lans_[k.lan];
    if (pa.tracker.state() == path_state::init && k.fam == family::v6 && l.carrier && l.v6_pending &&
        !l.probe_destination(k.fam))
        return;
    // A silence that is probably our own (a stall, or every path of the
    // peer silent at once) is held: owed, for one fresh probe (stall_guard).
    if (auto wait = held_wait(p, k, pa, due, now)) {
        pa.owed = std::min(pa.owed + 1, cfg_.fail_after);
        pa.owed_reason = why;
        note_held(p, k, pa, due && stall_guard::judged_late(*due, now, cfg_.interval), out);
        if (retry_follows || (pa.suspicion_check && pa.suspicion_check->last_chance)) return;  // that probe settles it
        pa.suspicion_check = launch(k, pa, purposeful_probe::on_silence::settle, *wait, now, out, true);
        return;
    }
    if (confirmed || keyed() || pa.tracker.state() == path_state::down) return settle(p, k, pa, 1, now, out, why);
    pa.owed = std::min(pa.owed + 1, cfg_.fail_after);
    pa.owed_reason = why;
    if (retry_follows || pa.suspicion_check) return;  // that probe settles it
    if (!pa.hop || !lans_[k.lan].probe_destination(k.fam)) return settle(p, k, pa, 0, now, out);  // nothing to ask
    pa.suspicion_check =
        launch(k, pa, purposeful_probe::on_silence::settle, retry_timeout(pa).value_or(confirm_timeout(pa)), now, out);
}

purposeful_probe engine::launch(path_key k, const path& pa, purposeful_probe::on_silence action, duration wait,
                                timestamp now, engine_output& out, bool last_chance) {
    // Its sequence number has the top bit set: never a round's.
    const purposeful_probe pr{seq_.next_probe_seq(), now + wait, action, last_chance};
    send_probe(k.lan, *pa.hop, pr.seq, out);
    return pr;
}

std::optional<duration> engine::held_wait(const peer& p, path_key self, const path& pa, std::optional<timestamp> due,
                                          timestamp now) const {
    // Only a path that carries routes, and only when a probe can ask.
    if (pa.tracker.state() != path_state::up || !pa.hop || !lans_[self.lan].probe_destination(self.fam))
        return std::nullopt;
    const bool late = due && stall_guard::judged_late(*due, now, cfg_.interval);
    // "The same instant": deadlines of one round of the peer's lie within
    // microseconds of each other, the next round's an interval on.
    const duration instant = stall_guard::slack(std::min(cfg_.interval, peer_interval(p)));
    const bool mass = stall_guard::mass_silence(p, [&](path_key k, const path& o) {
        if (k == self) return true;
        std::optional<timestamp> next;
        if (timestamp d = o.next_deadline(judged_by_inqs(p)); d != timestamp::max()) next = d;
        // A requestor's round INQ still unanswered is judged when its
        // LAN-family's next round starts.
        if (cfg_.requestor && o.wait.awaiting()) {
            const timestamp round_end = lan_states_[slot(k)].next_send;
            next = next ? std::min(*next, round_end) : round_end;
        }
        return stall_guard::silent(o, next, now, instant);
    });
    if (!late && !mass) return std::nullopt;
    return stall_guard::fresh_wait(retry_timeout(pa).value_or(confirm_timeout(pa)), peer_interval(p), mass);
}

void engine::on_silence(peer& p, path_key k, path& pa, std::optional<purposeful_probe>& slot, timestamp now,
                        engine_output& out) {
    using act = purposeful_probe::on_silence;
    // Judged late (a stall of ours), or a check of misses while every path
    // of the peer is silent: one fresh probe first, with the same purpose
    // (stall_guard). Its own silence counts, unless judged late too (then
    // it is sent again, a few times at most: no hang).
    // (A retry's silence reaches here only when judged on time: judge_ack.)
    const bool late = stall_guard::judged_late(slot->deadline, now, cfg_.interval);
    if (slot->action != act::confirm_miss &&
        (!slot->last_chance || (late && slot->late_probes < stall_guard::max_late_probes))) {
        if (slot->action == act::settle || late)
            if (auto wait = held_wait(p, k, pa, late ? std::optional(slot->deadline) : std::nullopt, now)) {
                const std::uint8_t n = std::uint8_t(slot->late_probes + (late ? 1 : 0));
                slot = launch(k, pa, slot->action, *wait, now, out, true);
                slot->late_probes = n;
                note_held(p, k, pa, late, out);
                return;
            }
    }
    switch (slot->action) {
    case act::settle: return settle(p, k, pa, 0, now, out);
    case act::confirm_miss: return settle(p, k, pa, 1, now, out);
    case act::probe_again:
        if (pa.hop && lans_[k.lan].probe_destination(k.fam)) {
            slot = launch(k, pa, act::notice_down, notice_wait(p, pa, true), now, out);
            return;
        }
        [[fallthrough]];
    case act::notice_down:
        slot.reset();
        return apply(p, k, pa.tracker.force_down(now, down_reason::peer_notice), out);
    }
}

void engine::settle(peer& p, path_key k, path& pa, unsigned extra, timestamp now, engine_output& out,
                    down_reason extra_why) {
    const unsigned owed = pa.owed;
    const down_reason why = pa.owed_reason;
    pa.owed = 0;
    pa.suspicion_check.reset();
    for (unsigned n = 0; n < owed + extra; ++n) {
        pa.rounds.record(now, false);
        apply(p, k, pa.tracker.miss(now, n < owed ? why : extra_why), out);
    }
}

void engine::run_checks(timestamp now, engine_output& out) {
    for (auto it = peers_.begin(); it != peers_.end();) {
        peer& p = it->second;
        for (auto& [k, pa] : p.paths)
            if (pa.suspicion_check && now >= pa.suspicion_check->deadline)
                on_silence(p, k, pa, pa.suspicion_check, now, out);
        if (p.leaving_until.count() >= 0 && now >= p.leaving_until && !check_leaving(p, now, out)) {
            out.effects.push_back(fx::peer_left{p.node_id, fx::peer_left::why::bye,
                                                p.bye_lan < lans_.size() ? lans_[p.bye_lan].name : std::string("-")});
            it = forget(it, out);
            continue;
        }
        for (auto& [k, pa] : p.paths)
            if (pa.notice_check && now >= pa.notice_check->deadline) on_silence(p, k, pa, pa.notice_check, now, out);
        ++it;
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
        out.sends.push_back({k.lan, *pa.hop, cfg_.port, encode(m, k.lan, k.fam)});
        out.effects.push_back(fx::notice_sent{ref(p, dead), lans_[k.lan].name});
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
            if (pa.tracker.state() == path_state::down || pa.notice_check || !pa.hop) continue;
            if (!lans_[li].probe_destination(k.fam)) continue;
            // After a notice the peer's answer refuted, at most one check an
            // interval, and for a while each needs two unanswered probes: a
            // flood of forged notices costs a probe an interval, and one
            // answer that comes a little late under that load is no failover.
            const bool refuted_lately = pa.notice_refuted_at.count() >= 0;
            if (refuted_lately && now - pa.notice_refuted_at < peer_interval(p)) continue;
            // Logged like a drop (a flood of notices fills no disk): the
            // first in full, later ones as a count a minute.
            if (drop_log_.first_of_kind("path", severity::info, "notice_received", nullptr, li, p.paths.at(k).hop, now))
                out.effects.push_back(fx::notice_received{ref(p, k)});
            // Check it ourselves: a probe the peer must answer on that path.
            const bool doubted = refuted_lately && now - pa.notice_refuted_at < notice_doubt;
            using act = purposeful_probe::on_silence;
            pa.notice_check =
                launch(k, pa, doubted ? act::probe_again : act::notice_down, notice_wait(p, pa, doubted), now, out);
        }
    }
}

duration engine::notice_wait(const peer& p, const path& pa, bool doubted) const {
    // A notice soon after a refuted one is doubted: each of its two probes
    // gets half the peer's interval (a peer slowed by the flood still
    // answers, and its own INQ comes within the two and refutes it too).
    return doubted ? std::max(confirm_timeout(pa), peer_interval(p) / 2) : confirm_timeout(pa);
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

std::vector<std::uint8_t> engine::encode(const wire::message& m, std::size_t li, family fam) const {
    wire::lan_binding b;
    b.fam = fam;
    if (li < lans_.size())
        if (auto p = lans_[li].binding(fam)) b.lan = *p;
    return wire::encode(m, cfg_.keys, b);
}

void engine::send_probe(std::size_t li, const ip_address& target, std::uint32_t seq, engine_output& out) {
    auto probe = make(wire::type::inq, seq);
    probe.flags |= wire::flag_probe_only;
    probe.target = target;
    out.sends.push_back({li, target, cfg_.port, encode(probe, li, target.fam())});
}

wire::message engine::make(wire::type kind, std::uint32_t seq) const {
    wire::message m;
    m.kind = kind;
    m.version = cfg_.wire_v1 ? wire::version_1 : wire::version;
    m.node_id = cfg_.node_id;
    m.incarnation = seq_.incarnation();
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
    pa.expect.start(now, peer_interval(p));
    // A requestor counts the round in progress: the peer may be answering
    // the INQ we just sent (that answer is how we usually meet it). A path
    // learnt from an address list is not blamed if that first round goes
    // unanswered: its answer may have come before the path existed.
    const bool awaiting = seq_.rounds(slot(k)) > 0;
    pa.wait.begin(awaiting, seq_.last_round_seq(slot(k)), !heard_here);
    if (awaiting) pa.unanswered.note(pa.wait.seq());
    out.effects.push_back(fx::path_new{ref(p, k)});
    return pa;
}

void engine::learn(peer& p, const wire::message& m, timestamp now, engine_output& out, path_key heard) {
    const auto l = peer_learning::learn(p, m, now);
    // Without keys anyone can flip the incarnation back and forth: logged like a drop.
    if (l.restarted &&
        drop_log_.first_of_kind("peer", severity::info, "peer_restarted", nullptr, heard.lan, std::nullopt, now))
        out.effects.push_back(fx::peer_restarted{p.node_id, m.incarnation});
    if (l.addresses_changed) out.paths_changed = true;  // the set of destinations changed
    if (m.kind == wire::type::inq && !(m.flags & wire::flag_probe_only))
        peer_learning::learn_rounds(p, m, cfg_.requestor && cfg_.mutual, peer_interval(p), now);
    for (const path_key k : peer_learning::unclaimed_paths(p, lans_, heard)) {
        out.effects.push_back(fx::path_forgotten{ref(p, k)});
        p.paths.erase(k);
        out.paths_changed = true;
    }
    for (const path_key k : peer_learning::claimed_paths(p, lans_)) ensure_path(p, k, now, out, false);
}

void engine::apply(peer& p, path_key k, const std::optional<transition>& t, engine_output& out) {
    if (!t) return;
    const bool down = t->to == path_state::down;
    path& pa = p.paths.at(k);
    if (down) {
        pa.rtt_rounds = 0;  // none of the first RTT rounds left over for its return (ARP/ND then)
        pa.fresh = false;   // with keys it comes back only on an answer of the peer's
        pa.owed = 0;
        pa.suspicion_check.reset();
    } else {
        pa.was_up = true;
    }
    out.effects.push_back(fx::path_changed{ref(p, k), t->from, t->to, t->missed, t->good, t->reason});
    out.paths_changed = true;
    if (down && t->reason != down_reason::peer_notice) notify(p, k, out);
    if (down && cfg_.damping.enabled) {
        if (pa.damping.flap(cfg_.damping, pa.tracker.since()))
            out.effects.push_back(fx::path_suppressed{ref(p, k), static_cast<long long>(pa.damping.penalty())});
    }
}

void engine::check_damping(timestamp now, engine_output& out) {
    if (!cfg_.damping.enabled) return;
    for (auto& [id, p] : peers_)
        for (auto& [k, pa] : p.paths)
            if (pa.damping.suppressed() && now >= pa.damping.reuse_at(cfg_.damping) &&
                pa.damping.decay(cfg_.damping, now)) {
                out.effects.push_back(fx::path_reused{ref(p, k), pa.tracker.state()});
                out.paths_changed = true;
            }
}

void engine::renew_incarnation(engine_output& out) {
    seq_.renew();
    out.incarnation_renewed = true;
    out.effects.push_back(fx::incarnation_renewed{seq_.incarnation(), seq_.previous_incarnation()});
}

std::vector<engine::round_member> engine::paths_on(path_key k) {
    std::vector<round_member> on_k;
    for (auto& [id, p] : peers_) {
        auto it = p.paths.find(k);
        if (it != p.paths.end()) on_k.push_back({&p, &it->second});
    }
    return on_k;
}

round_plan::ack_decision engine::decide_acks(std::uint32_t round, const std::vector<round_member>& on_k) {
    std::vector<round_plan::rtt_need> needs;
    for (const auto& [p, pa] : on_k)
        needs.push_back({mutual_with(*p), pa->tracker.state() == path_state::up, pa->rtt.measured(), pa->rtt_rounds});
    auto acks = round_plan::decide_acks(round, needs);
    for (std::size_t i = 0; i < on_k.size(); ++i)
        if (acks.burst_taken[i]) --on_k[i].pa->rtt_rounds;
    return acks;
}

void engine::close_round(path_key k, const std::vector<round_member>& on_k, bool ack_round, timestamp now,
                         engine_output& out, timestamp due) {
    // Every path still waiting for its ACK missed the round.
    for (const auto& [pp, papp] : on_k) {
        peer& p = *pp;
        path& pa = *papp;
        // A mutual path's retry is judged by its own timeout, not by our
        // rounds; each probe counts once (probe_wait::round_end).
        using result = probe_wait::close_result;
        const result r = pa.wait.round_end(mutual_with(p) && !ack_round, now);
        if (r == result::untouched || r == result::excused) continue;
        pa.last_round_good = false;
        if (r == result::missed || r == result::missed_confirmed)
            miss(p, k, pa, down_reason::missed, r == result::missed_confirmed, now, out, false, due);
    }
}

void engine::await_round(path& pa, std::uint32_t seq, bool can_send, timestamp now) {
    // Without a source to probe from, only paths that claim to be up
    // are held to account: they must not stay up on no evidence.
    if (!can_send && pa.tracker.state() != path_state::up) return pa.wait.stop();
    std::optional<duration> rto;
    if (can_send && pa.tracker.state() == path_state::up) rto = retry_timeout(pa);
    pa.wait.round_sent(seq, now, rto ? std::optional<timestamp>(now + *rto) : std::nullopt);
    pa.unanswered.note(seq);
}

void engine::send_inq(path_key k, timestamp now, engine_output& out, timestamp due) {
    const std::uint32_t round = seq_.rounds(slot(k));  // 0 for the first
    const auto on_k = paths_on(k);
    const auto acks = decide_acks(round, on_k);
    close_round(k, on_k, acks.wanted, now, out, due);
    // A family in which we have no routable address on any LAN can never
    // be routed (destinations and sources are our prefixes'): no probes for
    // it, so a LAN with only IPv6 link-local addresses costs nothing. Its
    // paths, if any, then miss their rounds like a LAN we cannot probe.
    auto dst = family_used_[k.fam == family::v6] ? lans_[k.lan].probe_destination(k.fam) : std::nullopt;
    auto m = make(wire::type::inq, seq_.next_round_seq(slot(k)));
    if (cfg_.mutual) m.flags |= wire::flag_mutual;
    if (cfg_.mutual && acks.wanted) m.flags |= wire::flag_ack_wanted;
    // Responders read heard lists, and so do mutual requestors: a
    // responder is listed when its ACK to our last INQ came back, a
    // mutual peer while its last round INQ here is recent.
    std::vector<round_plan::member> members;
    for (const auto& [p, pa] : on_k) {
        const bool mutual = mutual_with(*p);
        members.push_back({p->node_id, mutual, mutual ? pa->expect.heard(now) : pa->last_round_good && !p->requestor,
                           pa->hop});
    }
    const auto plan = round_plan::make_plan(round, acks, cfg_.unicast_inq, members);
    m.heard = plan.heard;
    if (plan.heard_truncated) m.flags |= wire::flag_heard_truncated;
    for (std::size_t i = 0; i < on_k.size(); ++i)
        if (plan.awaited[i]) await_round(*on_k[i].pa, m.seq, dst.has_value(), now);
    if (!dst) return;
    const auto bytes = encode(m, k.lan, k.fam);
    if (plan.broadcast) out.sends.push_back({k.lan, *dst, cfg_.port, bytes});
    for (const auto& a : plan.unicast) out.sends.push_back({k.lan, a, cfg_.port, bytes});
    send_warmups(k, m, out);
    probe_for_proofs(k, now, out);
}

void engine::send_warmups(path_key k, const wire::message& round_inq, engine_output& out) {
    // Down paths: the round's INQ by unicast to the peer's own addresses
    // there (probe-only: no round for a responder; its ACK counts for
    // ours). Only for paths that have been up: a peer that never was, say
    // one of a flood of forged node ids, gets none (its addresses may not
    // exist, and probes to them would wait for ARP and fill the socket's
    // buffer).
    std::vector<std::vector<ip_address>> candidates;
    for (const auto& [id, p] : peers_) {
        auto it = p.paths.find(k);
        if (it == p.paths.end() || it->second.tracker.state() != path_state::down || !it->second.was_up) continue;
        auto& c = candidates.emplace_back();
        for (const auto& a : p.addresses)
            if (a.fam() == k.fam && a.is_routable_unicast() && lans_[k.lan].in_prefixes(a)) c.push_back(a);
    }
    const auto targets = round_plan::choose_warmups(candidates);
    if (targets.empty()) return;
    wire::message warm = round_inq;
    warm.flags |= wire::flag_probe_only;
    warm.heard.clear();
    for (const auto& a : targets) {
        warm.target = a;  // each names where it goes, like every probe
        out.sends.push_back({k.lan, a, cfg_.port, encode(warm, k.lan, k.fam)});
    }
}

void engine::note_drop(std::uint64_t& counter, const char* reason, std::size_t li, const ip_address& from, timestamp now,
                       engine_output& out) {
    ++counter;
    if (drop_log_.first_of_kind("wire", severity::warning, "drop", reason, li, from, now))
        out.effects.push_back(fx::datagram_dropped{reason, lans_[li].name, from});
}

void engine::note_oversize(std::size_t li, const ip_address& from, timestamp now, engine_output& out) {
    if (li < lans_.size()) note_drop(drops_.oversize, "oversize", li, from, now, out);
}

void engine::receive(std::size_t li, const ip_address& from, std::uint16_t from_port, const std::uint8_t* data,
                     std::size_t size, timestamp now, engine_output& out, int ttl) {
    // One way: admission, then evidence (what it answers, what it says),
    // then the verdict (path_tracker, in apply), then the effects.
    if (li >= lans_.size()) return;
    const admission::settings s{cfg_.node_id, cfg_.keys, cfg_.wire_v1, seq_};
    auto checked = admission::check_datagram(lans_[li], from, data, size, ttl, s);
    if (auto* d = std::get_if<admission::drop>(&checked)) return refuse(*d, li, from, now, out);
    const auto& m = std::get<wire::message>(checked);
    if (m.kind == wire::type::bye) {
        auto it = peers_.find(m.node_id);
        if (it != peers_.end() && it->second.incarnation == m.incarnation) on_bye(it, li, now, out);
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
    peer* p = take_in(m, li, from, now, out);
    if (!p) return;
    const path_key k{li, from.fam()};
    path& pa = p->paths.at(k);
    const answers ans = what_it_answers(*p, pa, m, li, from, now, out);
    if (!ans.round_inq && !ans.ours()) {
        if (m.kind == wire::type::inq && lans_[li].probe_destination(k.fam))  // probe-only: answer it
            out.sends.push_back({li, from, from_port, encode(make(wire::type::ack, m.seq), li, k.fam)});
        return;
    }
    learn(*p, m, now, out, k);
    note_source(*p, k, pa, from, out);
    pa.last_heard = now;
    if (ans.control) pa.controls.take(m.seq);  // answered once
    release_hold(pa);  // it speaks here: this path works
    on_answers(*p, k, pa, ans, from, now, out);
    retry_held(*p, k, now);
    if (m.kind == wire::type::inq) on_inq(*p, k, pa, m, from, from_port, now, out);
    else if (m.kind == wire::type::ack && cfg_.requestor && ans.probe) on_round_ack(*p, k, pa, m, now, out);
}

void engine::refuse(const admission::drop& d, std::size_t li, const ip_address& from, timestamp now,
                    engine_output& out) {
    using admission::reason;
    switch (d.why) {
    case reason::wire: return note_drop(drops_.wire[std::size_t(d.err)], to_string(d), li, from, now, out);
    case reason::low_ttl: return note_drop(drops_.low_ttl, to_string(d), li, from, now, out);
    case reason::old_version: return note_drop(drops_.old_version, to_string(d), li, from, now, out);
    case reason::off_link: return note_drop(drops_.off_link, to_string(d), li, from, now, out);
    case reason::wrong_target: return note_drop(drops_.wrong_target, to_string(d), li, from, now, out);
    case reason::replay: return note_drop(drops_.replay, to_string(d), li, from, now, out);
    case reason::own: ++drops_.own; return;  // our own broadcast, looped back
    case reason::id_collision:
        ++drops_.id_collision;
        if (drop_log_.first_of_kind("peer", severity::error, "node_id_collision", nullptr, li, from, now))
            out.effects.push_back(fx::node_id_collision{cfg_.node_id, lans_[li].name, from});
        return;
    }
}

peer* engine::take_in(const wire::message& m, std::size_t li, const ip_address& from, timestamp now,
                      engine_output& out) {
    auto known = peers_.find(m.node_id);
    const std::optional<std::uint32_t> forgotten = tombstones_.find(m.node_id);
    const peer* was = known == peers_.end() ? nullptr : &known->second;
    if (auto d = admission::check_sender(m, was, forgotten, keyed())) {
        refuse(*d, li, from, now, out);
        return nullptr;
    }
    if (!was && !admit(li, from, now, out)) return nullptr;
    auto [it, fresh] = peers_.try_emplace(m.node_id);
    peer& p = it->second;
    if (fresh) {
        p.node_id = m.node_id;
        p.first_lan = li;
        p.first_source = from;
        if (peer_lines_.take(now, out.effects)) out.effects.push_back(fx::peer_seen{m.node_id, lans_[li].name, from});
        out.paths_changed = true;
    }
    // The path we heard on first (it counts the round in progress), then the
    // ones the address list implies.
    const path_key k{li, from.fam()};
    path& pa = ensure_path(p, k, now, out, true);
    if (m.kind != wire::type::inq || (m.flags & wire::flag_probe_only)) return &p;
    if (auto d = admission::check_round_inq(m, pa, fresh, keyed())) {
        refuse(*d, li, from, now, out);
        return nullptr;
    }
    if (keyed()) {
        pa.inq_seen = true;
        pa.last_inq_seq = m.seq;
        pa.inq_seq_incarnation = m.incarnation;
    }
    return &p;
}

engine::answers engine::what_it_answers(peer& p, const path& pa, const wire::message& m, std::size_t li,
                                        const ip_address& from, timestamp now, engine_output& out) {
    // Only datagrams a replay cannot produce speak for the path: a round's
    // INQ with a new sequence number, or an ACK to a probe of ours (a
    // round's INQ or retry, a notice's or a suspicion's check, a BYE's
    // check, a proof probe). A replayed ACK or probe-only INQ (valid MAC
    // and all, sent from anywhere on the LAN) gets its answer but moves
    // nothing.
    answers a;
    a.round_inq = m.kind == wire::type::inq && !(m.flags & wire::flag_probe_only);
    const bool ack = m.kind == wire::type::ack;
    a.probe = ack && pa.wait.awaiting() && (m.seq == pa.wait.seq() || pa.unanswered.has(m.seq));
    a.confirm = ack && pa.notice_check && m.seq == pa.notice_check->seq;
    a.check = ack && pa.suspicion_check && m.seq == pa.suspicion_check->seq;
    a.control = ack && (m.seq & wire::probe_seq_bit) && pa.controls.has(m.seq);
    a.bye_check = ack && p.leaving_until.count() >= 0 &&
                  std::count(p.leaving_probes.begin(), p.leaving_probes.end(), m.seq) > 0;
    if (!ack || !(m.seq & wire::probe_seq_bit)) return a;
    auto pr = proofs_.take(m.seq, li);
    if (!pr) return a;
    if (pr->peer == m.node_id) {
        a.proof = *pr;
    } else if (drop_log_.first_of_kind("peer", severity::warning, "claim_refuted", nullptr, li, from, now)) {
        // Another node answered at the address the peer claims.
        out.effects.push_back(fx::claim_refuted{pr->peer, pr->target, m.node_id, lans_[li].name});
    }
    return a;
}

void engine::on_answers(peer& p, path_key k, path& pa, const answers& a, const ip_address& from, timestamp now,
                        engine_output& out) {
    const std::size_t li = k.lan;
    if (a.ours()) {
        // The peer answered us on this path: it lives here. Nothing it was
        // suspected of counts, and (with keys) the path may come up.
        pa.fresh = true;
        pa.owed = 0;
        pa.suspicion_check.reset();
    }
    if (pa.notice_check) {  // it answers on that path: the notice is refuted
        pa.notice_check.reset();
        pa.notice_refuted_at = now;
        if (drop_log_.first_of_kind("path", severity::info, "notice_refuted", nullptr, li, from, now))
            out.effects.push_back(fx::notice_refuted{ref(p, k)});
    }
    // Its own INQs speak for it too (a host that stopped sends none).
    if (a.bye_check || (p.leaving_until.count() >= 0 && a.round_inq)) {
        p.leaving_until = timestamp(-1);
        p.leaving_probes.clear();
        if (drop_log_.first_of_kind("peer", severity::warning, "bye_refuted", nullptr, li, from, now))
            out.effects.push_back(fx::bye_refuted{p.node_id, lans_[li].name});
    }
    if (a.proof) on_proof(p, k, *a.proof, now, out);
    // The answer to a check of a suspected miss: the peer answers unicast
    // here, so the round it was about is a good one (a LAN that drops only
    // broadcasts still carries traffic).
    if (a.check && count_good(p, pa, now)) {
        pa.rounds.record(now, true);
        apply(p, k, pa.tracker.good(now), out);
    }
}

void engine::on_inq(peer& p, path_key k, path& pa, const wire::message& m, const ip_address& from,
                    std::uint16_t from_port, timestamp now, engine_output& out) {
    const std::size_t li = k.lan;
    // Mutual rounds: the peer's INQs are its answers; only the ACK
    // rounds want one. Answer only from a usable source: never from a
    // tentative address.
    const bool mutual = mutual_with(p);
    if (lans_[li].probe_destination(k.fam) && (!mutual || (m.flags & wire::flag_ack_wanted)))
        out.sends.push_back({li, from, from_port, encode(make(wire::type::ack, m.seq), li, k.fam)});
    // With keys, an INQ on a path that is not up and has no fresh
    // answer could be a recording (our marks went with our restart):
    // it is no evidence either way until the peer answers a probe of
    // ours there (probe_for_proofs sends one); the path's deadlines go
    // on passing meanwhile.
    const bool unproven_inq = keyed() && pa.tracker.state() != path_state::up && !pa.fresh;
    const bool round_inq = !(m.flags & wire::flag_probe_only);
    if (judged_by_inqs(p) && round_inq && !unproven_inq) {
        // Not listed in a list cut short proves nothing: the INQ itself
        // arrived, so the round counts as good.
        bool listed = std::find(m.heard.begin(), m.heard.end(), cfg_.node_id) != m.heard.end() ||
                      (m.flags & wire::flag_heard_truncated);
        if (mutual) {
            // The next is due one interval on, give or take the retry
            // timeout; we list the peer as heard until a little after.
            pa.expect.inq(now, peer_interval(p), mutual_slack(p, pa));
            if (listed) pa.last_round_good = true;
        } else {
            pa.expect.inq(now, peer_interval(p), std::nullopt);
        }
        if (!listed) {
            miss(p, k, pa, down_reason::one_way, false, now, out);
        } else if (count_good(p, pa, now)) {
            pa.owed = 0;
            pa.suspicion_check.reset();
            pa.rounds.record(now, true);
            apply(p, k, pa.tracker.good(now), out);
        }
    }
    if (!cfg_.requestor && round_inq) probe_for_proofs(k, now, out, &p);
}

void engine::on_round_ack(peer& p, path_key k, path& pa, const wire::message& m, timestamp now, engine_output& out) {
    // RTT samples only from paths already up: the first answers
    // wait for ARP/ND resolution and would inflate the average for
    // many rounds (and with it the notice confirmation deadline).
    // And only from a probe that was not sent again, answered in
    // its own round (Karn's rule: whose answer is it otherwise?).
    if (pa.tracker.state() == path_state::up && m.seq == pa.wait.seq() && !pa.retried) {
        if (!pa.rtt.measured() && mutual_with(p)) pa.rtt_rounds = round_plan::rtt_burst - 1;
        pa.rtt.sample(now - pa.wait.sent());
    }
    pa.wait.answer();
    pa.retried = false;
    pa.unanswered.clear();
    pa.last_round_good = true;
    // A mutual peer that answers our probe here is heard here, even
    // when its own INQs do not reach us (a switch that drops its
    // broadcasts): listed, it does not take a working path down.
    if (mutual_with(p)) pa.expect.answered(now, peer_interval(p));
    if (count_good(p, pa, now)) {
        pa.rounds.record(now, true);
        apply(p, k, pa.tracker.good(now), out);
    }
}

bool engine::sheltered(const peer& p) const {
    return peer_upkeep::sheltered(p, keyed(), [&](const peer& q, path_key k, const path& pa) {
        return hop_proven(q, k, pa);
    });
}

bool engine::make_room(timestamp now, engine_output& out) {
    // Peers we route through are never pushed out by newcomers (without
    // keys: those proven on two LANs).
    auto victim = peer_upkeep::eviction_victim(peers_, [&](const peer& p) { return sheltered(p); });
    if (victim == peers_.end()) {
        if (drop_log_.first_of_kind("peer", severity::warning, "peer_limit", nullptr, std::nullopt, std::nullopt, now)) {
            out.effects.push_back(fx::peer_limit{cfg_.max_peers, keyed()});
        }
        return false;
    }
    if (peer_lines_.take(now, out.effects))
        out.effects.push_back(fx::peer_left{victim->first, fx::peer_left::why::evicted, ""});
    forget(victim, out);
    return true;
}

bool engine::admit(std::size_t li, const ip_address& from, timestamp now, engine_output& out) {
    // However well proven: a host on two LANs can answer under as many ids
    // as it likes, from the same two addresses.
    if (peer_upkeep::ids_from(peers_, li, from) >= cfg_.max_ids_per_source) {
        note_drop(drops_.source_limit, "source_limit", li, from, now, out);
        return false;
    }
    if (peers_.size() < cfg_.max_peers || make_room(now, out)) return true;
    ++drops_.peer_limit;
    return false;
}

peer_map::iterator engine::forget(peer_map::iterator it, engine_output& out) {
    const std::string& id = it->first;
    book_.forget(id);
    if (book_.take_changed()) out.proofs_changed = true;
    if (keyed() && it->second.incarnation != 0) tombstones_.bury(id, it->second.incarnation);
    proofs_.forget_peer(id);
    out.paths_changed = true;
    return peers_.erase(it);
}

void engine::on_bye(peer_map::iterator it, std::size_t li, timestamp now, engine_output& out) {
    peer& p = it->second;
    if (p.leaving_until.count() >= 0) return;  // one check at a time
    if (!keyed()) {
        // Anyone can send a BYE without keys: the peer must also stop
        // answering. Two rounds of probes to each of its paths that is not
        // down; it is forgotten if none is answered (a clean stop: twice
        // the retry timeout's floor, and no path of it goes down meanwhile).
        p.bye_lan = li;
        p.bye_checks_left = 2;
        if (send_bye_checks(p, now, out)) return;
    }
    out.effects.push_back(fx::peer_left{p.node_id, fx::peer_left::why::bye, lans_[li].name});
    forget(it, out);
}

bool engine::send_bye_checks(peer& p, timestamp now, engine_output& out) {
    duration wait{0};
    bool sent = false;
    for (auto& [k, pa] : p.paths) {
        if (pa.tracker.state() == path_state::down || !pa.hop || !lans_[k.lan].probe_destination(k.fam)) continue;
        const std::uint32_t seq = seq_.next_probe_seq();
        p.leaving_probes.push_back(seq);
        send_probe(k.lan, *pa.hop, seq, out);
        // A loaded host answers late: at least the retry timeout's floor
        // (at most 50 ms: a clean stop is not kept waiting long).
        const duration floor = cfg_.confirm_floor.count() > 0 ? cfg_.confirm_floor
                                                              : std::max<duration>(ms(2), cfg_.interval / 10);
        wait = std::max({wait, confirm_timeout(pa), std::min<duration>(floor, ms(50))});
        sent = true;
    }
    if (sent) {
        --p.bye_checks_left;
        p.leaving_until = now + wait;
    }
    return sent;
}

bool engine::check_leaving(peer& p, timestamp now, engine_output& out) {
    return p.bye_checks_left > 0 && send_bye_checks(p, now, out);
}

bool engine::hop_proven(const peer& p, path_key k, const path& pa) const {
    return k.lan < lans_.size() && address_proofs::hop_proven(book_, p, pa, lans_[k.lan].name);
}



void engine::note_source(peer& p, path_key k, path& pa, const ip_address& from, engine_output& out) {
    // A datagram's source is no proof, without keys not even its sender's
    // (address_proofs::note_source).
    const bool from_proven = book_.proven(p.node_id, from, lans_[k.lan].name);
    if (address_proofs::note_source(pa, from, hop_proven(p, k, pa), from_proven)) out.paths_changed = true;
}

void engine::on_proof(peer& p, path_key k, const address_proofs::proof_probe& pr, timestamp now, engine_output& out) {
    auto result = book_.record(p.node_id, pr.target, lans_[pr.lan].name, now, [&](const std::string& q) {
        auto it = peers_.find(q);
        return it != peers_.end() && address_proofs::holds(it->second, pr.target);
    });
    if (result == address_book::outcome::refused) {
        if (drop_log_.first_of_kind("peer", severity::warning, "claim_refused", nullptr, pr.lan, pr.target, now))
            out.effects.push_back(
                fx::claim_refused{p.node_id, pr.target, book_.find(pr.target, lans_[pr.lan].name)->owner});
        return;
    }
    if (book_.take_changed()) {
        out.proofs_changed = true;
        out.paths_changed = true;  // a destination or a next hop may now be routed
        out.effects.push_back(fx::address_proven{p.node_id, pr.target, lans_[pr.lan].name});
    }
    auto it = p.paths.find(k);
    if (it != p.paths.end() && address_proofs::adopt_hop(it->second, pr.target)) out.paths_changed = true;
}

void engine::probe_for_proofs(path_key k, timestamp now, engine_output& out, const peer* only) {
    if (!family_used_[k.fam == family::v6] || !lans_[k.lan].probe_destination(k.fam)) return;
    const lan& l = lans_[k.lan];
    int budget = proof_budget;
    for (auto& entry : peers_) {  // not a structured binding: the lambda captures it (clang < 16)
        const std::string& id = entry.first;
        peer& p = entry.second;
        if (budget <= 0) return;
        if ((only && &p != only) || p.leaving_until.count() >= 0) continue;
        auto it = p.paths.find(k);
        if (it == p.paths.end()) continue;
        const path& pa = it->second;
        const auto wanted = [&](const ip_address& a) {
            return !book_.proven(id, a, l.name) && !address_proofs::held_by_other(book_, peers_, p, a, l.name, now);
        };
        for (const auto& target : address_proofs::targets(p, pa, l, k.fam, keyed(), hop_proven(p, k, pa), wanted)) {
            if (budget <= 0) break;
            if (proofs_.on_its_way(id, target, now)) continue;  // one on its way
            --budget;
            const std::uint32_t seq = seq_.next_probe_seq();
            proofs_.add(seq, {id, k.lan, target, now + std::max(peer_interval(p), confirm_timeout(pa))});
            send_probe(k.lan, target, seq, out);
        }
    }
}

void engine::expire_peers(timestamp now, engine_output& out) {
    for (auto it = peers_.begin(); it != peers_.end();) {
        peer& p = it->second;
        if (peer_upkeep::lost(p, now, cfg_.forget_after, peer_interval(p))) {
            out.effects.push_back(fx::peer_left{p.node_id, fx::peer_left::why::lost, ""});
            it = forget(it, out);
        } else {
            ++it;
        }
    }
    // Proof probes nobody answered (within a round) are given up.
    proofs_.expire(now, housekeeping_every);
}

void engine::tick(timestamp now, engine_output& out) {
    // A LAN-family that used its last round sequence number: a new
    // incarnation before anything of this tick goes out (retries, notices,
    // every LAN's INQ), so none of it carries the old one.
    if (cfg_.requestor && seq_.exhausted()) renew_incarnation(out);
    // What is due on the paths, in one pass each side of the rounds: the
    // waits whose verdicts a round's close must not give again (the ACK
    // waits, the peer's INQ deadlines) before it; the probes with a
    // purpose and the BYE checks after it (a round that closes sees the
    // path as it was, as it always did).
    judge_deadlines(now, out);
    if (cfg_.requestor) send_rounds(now, out);
    run_checks(now, out);
    check_damping(now, out);
    if (now >= next_expiry_check_) {
        expire_peers(now, out);
        drop_log_.due_lines(
            now, [&](std::size_t li) { return li < lans_.size() ? std::optional(lans_[li].name) : std::nullopt; },
            out.effects);
        next_expiry_check_ = now + housekeeping_every;
    }
}

void engine::send_rounds(timestamp now, engine_output& out) {
    for (std::size_t li = 0; li < lans_.size(); ++li)
        for (family fam : families) {
            auto& ls = state_of({li, fam});
            if (now < ls.next_send) continue;
            send_inq({li, fam}, now, out, ls.next_send);
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
}

timestamp engine::next_wakeup() const {
    // Housekeeping rides on the next tick due anyway, if one comes within
    // the slack (a requestor's next round always does at t <= 1 s).
    timestamp next = next_expiry_check_ + housekeeping_slack;
    if (cfg_.requestor)
        for (const auto& ls : lan_states_) next = std::min(next, ls.next_send);
    for (const auto& [id, p] : peers_) {
        if (p.leaving_until.count() >= 0) next = std::min(next, p.leaving_until);
        for (const auto& [k, pa] : p.paths) {
            next = std::min(next, pa.next_deadline(judged_by_inqs(p)));
            if (pa.damping.suppressed()) next = std::min(next, pa.damping.reuse_at(cfg_.damping));
        }
    }
    return next;
}

bool engine::judging_due(timestamp now) const {
    if (now >= next_expiry_check_) return true;
    for (const auto& [id, p] : peers_) {
        if (p.leaving_until.count() >= 0 && now >= p.leaving_until) return true;
        const bool by_inqs = judged_by_inqs(p);
        const bool mutual = mutual_with(p);
        for (const auto& [k, pa] : p.paths) {
            if (now >= pa.next_deadline(by_inqs)) return true;
            if (!cfg_.requestor || now < lan_states_[slot(k)].next_send) continue;
            // A round is due: it closes a wait still open, and its INQ's
            // heard list names a mutual peer only while its last INQ is
            // recent (one queued may be the one that makes it so).
            if (pa.wait.awaiting() || (mutual && !pa.expect.heard(now))) return true;
        }
    }
    return false;
}

void engine::shutdown(engine_output& out) {
    const auto bye = make(wire::type::bye, 0);
    for (std::size_t li = 0; li < lans_.size(); ++li)
        for (family fam : families)
            if (auto dst = lans_[li].probe_destination(fam)) out.sends.push_back({li, *dst, cfg_.port, encode(bye, li, fam)});
}

route_set engine::desired_routes() const { return plan_routes(lans_, peers_, book_, keyed()); }

}  // namespace faild
