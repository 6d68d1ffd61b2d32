// DOC: engine — one node's protocol logic: events in, actions out.
//
//   datagram received ──┐                      ┌──> datagrams to send
//   timer fired ────────┼──> engine (pure) ────┼──> effects (typed: logged, hooks)
//   shutdown ───────────┘    peers, paths      └──> "paths changed": the
//                                                   caller re-plans routes
//
// Requestor (-r): every interval it closes the last round on each LAN and
// family (every path still waiting for its ACK counts a miss), then sends a
// new INQ (IPv4 broadcast, IPv6 multicast) listing the peers it heard in that
// round. A matching ACK is a good round. With a wall clock (wall_offset),
// rounds after the first start at its whole multiples of the interval. Fast confirmation: an up path whose
// ACK is late by its retry timeout (from the measured RTT, with a floor)
// counts that miss at once and is probed again by unicast, with the same
// timeout, until it answers or has missed f in a row: f misses still take
// a path down, they just come sooner once one is missing. A late ACK to any
// probe since the last answer still counts as an answer. A LAN-family without a usable source
// address (IPv6 link-local still tentative, say) sends nothing; its paths
// that were up keep missing rounds, so they go down rather than lie.
// While a path is down, each round also sends a probe-only INQ by unicast to
// the peer's own addresses on that LAN, so both neighbour caches (ARP, ND)
// hold the entries real traffic will need at switchback.
// Carrier loss on a LAN takes its paths down at once. Whenever a path goes
// down (except by a notice), the peer is told over a live path (NOTICE); the
// receiver probes that path itself at once and declares it down only if its
// own probe goes unanswered within max(5 ms, 4 x RTT): a notice can shorten
// detection, never take down a path that works.
// Mutual rounds (two requestors that both flag them): neither ACKs the
// other's round INQs but every 64th (flagged "ACK wanted", for RTT samples;
// every one while an up path has no RTT yet, and the 7 after its first
// sample);
// each judges the path by the other's INQs like a responder, with a deadline
// of the peer's interval plus the retry timeout, and lists it as heard. A
// missed deadline is re-probed at once (fast confirmation) when the peer's
// INQ of that round came in on another LAN; a stall delays them all.
// Responder (every node): answers each INQ with an ACK out of the LAN it came
// in on. A node that is not a requestor judges its paths by the INQs: a round
// is good when an INQ arrives within 1.5 x the requestor's advertised
// interval and lists us as heard (so a one-way failure is seen at both ends);
// an INQ that does not list us, or a deadline that passes, is a miss.
// Round sequence numbers never wrap: when a LAN-family's would pass
// round_seq_limit (2^31 - 1), we take incarnation + 1 first and every
// LAN-family counts again from the start, so no incarnation repeats one.
// The start is drawn at random for each incarnation (seq_seed), so an ACK
// recorded before a restart is almost never the answer to a new round.
// Time is always an argument; nothing here reads a clock or touches a socket.
#pragma once

#include "faild/core/address_book.hpp"
#include "faild/core/address_proofs.hpp"
#include "faild/core/admission.hpp"
#include "faild/core/clock.hpp"
#include "faild/core/drop_log.hpp"
#include "faild/core/effects.hpp"
#include "faild/core/flap_damping.hpp"
#include "faild/core/peer_table.hpp"
#include "faild/core/peer_upkeep.hpp"
#include "faild/core/round_plan.hpp"
#include "faild/core/route.hpp"
#include "faild/core/sequence_space.hpp"
#include "faild/core/wire.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faild {

struct engine_config {
    std::string node_id;
    std::uint32_t incarnation = 1;
    bool requestor = false;
    duration interval = ms(1000);  ///< t
    unsigned fail_after = 3;       ///< f
    unsigned up_after = 5;         ///< s
    std::uint16_t port = 7793;     ///< where INQs are sent
    /// A peer whose paths are all down this long (or silent) is forgotten.
    duration forget_after = ms(60'000);
    /// Shared keys: with any, every datagram is signed and must verify.
    keyring keys;
    /// Most peers kept (memory stays bounded under a flood of node ids).
    std::size_t max_peers = 256;
    /// Flap damping (off by default).
    damping_config damping;
    /// Fast confirmation: a requestor's probe to an up path that is not
    /// answered within the path's retry timeout (like TCP's RTO: smoothed
    /// RTT + 4 x its deviation, at least the floor, at most the interval)
    /// counts as missed at once and is sent again, so the f misses that take
    /// a path down come within a few timeouts instead of f intervals.
    bool fast_confirm = true;
    /// The retry timeout's floor; zero: max(2 ms, interval / 10).
    duration confirm_floor{0};
    /// Mutual rounds: with a requestor that also has them on, neither ACKs
    /// the other's round INQs (only every 64th, for RTT samples); each judges
    /// the path by the other's INQs, as a responder does, with a deadline of
    /// the peer's interval plus the retry timeout. Half the datagrams.
    bool mutual = true;
    /// Wall clock minus the clock `now` is read from. Set: after the first,
    /// a requestor's rounds start at whole multiples of the interval on the
    /// wall clock, so requestors whose clocks agree (NTP) send together and
    /// each hears the others' INQs in the wakeup of its own round.
    std::optional<duration> wall_offset;
    /// Round INQs by unicast to each known peer while there are at most 4
    /// on the LAN (broadcast every 16th round, to find new ones).
    bool unicast_inq = true;
    /// Round sequence numbers run from their start + 1 to this, never
    /// higher (the top bit is the probes'). The round that would pass it
    /// takes a new incarnation first (incarnation + 1), and every LAN's
    /// rounds count again from a new start: a sequence number is never used
    /// twice by one incarnation, so a receiver's replay check never wraps.
    /// At 2^31 - 1 that is at least every 124 days at t = 0.01 (the start
    /// is at most half of it); tests set it low.
    std::uint32_t round_seq_limit = wire::max_round_seq;
    /// Set: each incarnation's round sequence numbers start at a random
    /// point in the lower half of the range (the first is start + 1), and
    /// probe-only INQs count from a random point too. An ACK names only
    /// the sequence number it answers, not our incarnation, so without this
    /// an ACK recorded before our restart (or renewal) would answer the
    /// round of the same number after it. Unset (tests): from 1.
    std::optional<std::uint64_t> seq_seed;
    /// Speak wire version 1 (send it, accept it): for a rolling upgrade from
    /// a faild that knows no other. Without it, a node with keys drops
    /// version 1 (its MAC binds neither family nor LAN); one without keys
    /// accepts it but sends version 2.
    bool wire_v1 = false;
    /// Proofs of an earlier run (the state file): dormant until their owner
    /// proves one of them again (address_book).
    address_book proofs;
    /// Most node ids first heard from one source address on one LAN (a
    /// flood of invented ids from one host must not fill the peer table).
    std::size_t max_ids_per_source = 8;
};

/// One datagram to send out of LAN `lan` (the socket of dst's family).
struct outgoing {
    std::size_t lan;
    ip_address dst;
    std::uint16_t port;
    std::vector<std::uint8_t> bytes;
};

struct engine_output {
    std::vector<outgoing> sends;
    effect_list effects;  ///< what happened, typed (daemon/effect_log makes the log lines)
    bool paths_changed = false;  ///< paths, next hops or claimed addresses changed: re-plan routes
    bool incarnation_renewed = false;  ///< we took a new incarnation (see round_seq_limit): re-filter our own
    bool proofs_changed = false;       ///< the address book changed: write the state file
};

/// Datagrams dropped, by reason (wire errors plus the engine's own checks).
struct drop_counters {
    std::array<std::uint64_t, wire::error_count> wire{};  ///< indexed by wire::error
    std::uint64_t replay = 0;              ///< older incarnation, or an INQ sequence seen before
    std::uint64_t peer_limit = 0;          ///< a new node id while the peer table was full
    std::uint64_t off_link = 0;            ///< source not inside the LAN's prefixes
    std::uint64_t low_ttl = 0;             ///< arrived with TTL below 255: not on-link
    std::uint64_t own = 0;                 ///< our own broadcast looped back
    std::uint64_t id_collision = 0;        ///< our node id with another incarnation
    std::uint64_t wrong_target = 0;        ///< a probe for an address we do not hold here (relayed?)
    std::uint64_t old_version = 0;         ///< wire version 1 with keys, not allowed (wire_v1)
    std::uint64_t source_limit = 0;        ///< a new node id from a source that has enough unproven ones
    std::uint64_t oversize = 0;            ///< longer than wire::max_size: cut by the receive buffer
};

class engine {
public:
    /// `lans` in preference order. `now` starts the first round.
    engine(engine_config cfg, std::vector<lan> lans, timestamp now);

    /// A datagram arrived on LAN `lan_index` from `from`:`from_port` with
    /// TTL / hop limit `ttl` (-1: unknown). Only an on-link sender can make
    /// a datagram arrive with 255, so anything less is dropped.
    void receive(std::size_t lan_index, const ip_address& from, std::uint16_t from_port,
                 const std::uint8_t* data, std::size_t size, timestamp now, engine_output& out, int ttl = 255);
    /// A datagram longer than any valid one (wire::max_size) arrived on LAN
    /// `lan_index` from `from` and was cut unread: counted and logged like
    /// the other drops (reason oversize).
    void note_oversize(std::size_t lan_index, const ip_address& from, timestamp now, engine_output& out);
    /// Do whatever is due at `now` (send INQs, close rounds, expire peers).
    void tick(timestamp now, engine_output& out);
    /// When tick() next has something to do.
    timestamp next_wakeup() const;
    /// Whether tick(now) would judge some path's evidence: a deadline of
    /// one passed (an ACK's or retry's timeout, the peer's INQ deadline, a
    /// check's), or a round closes on a path still awaiting its ACK or
    /// whose mutual peer is not listed as heard, or a BYE's check or the
    /// housekeeping is due. Only then can a datagram
    /// queued but not yet read change what the tick does: the daemon
    /// drains the sockets before such a tick, and skips that (a poll) for
    /// the rest (a round whose answers all came in).
    bool judging_due(timestamp now) const;
    /// Say BYE on every LAN (clean exit).
    void shutdown(engine_output& out);
    /// Our LANs changed: addresses (DAD finished, an address came or went),
    /// carrier, new LANs appended at the end, or LANs at the end that no
    /// path is on dropped (the others keep their place). Carrier loss takes
    /// the LAN's paths down at once; carrier back makes the next INQ leave
    /// at once. False, and nothing changed, when the list would drop or
    /// replace a LAN that a path is on.
    bool update_lans(std::vector<lan> lans, timestamp now, engine_output& out);

    /// Whether any peer has a path (up or down) on LAN `lan`.
    bool has_paths_on(std::size_t lan) const;

    /// The routes the current path table asks for.
    route_set desired_routes() const;

    const engine_config& config() const { return cfg_; }
    /// The incarnation our datagrams carry now: config().incarnation until
    /// the round sequence numbers run out, then one more each time.
    std::uint32_t incarnation() const { return seq_.incarnation(); }
    const std::vector<lan>& lans() const { return lans_; }
    const peer_map& peers() const { return peers_; }
    /// A read-only look at path k of peer `id` (std::out_of_range if there is none).
    path_view view(const std::string& id, path_key k) const { return path_view(peers_.at(id).paths.at(k)); }
    const drop_counters& drops() const { return drops_; }
    /// Which node has proven which address (routes go only to those).
    const address_book& proofs() const { return book_; }

private:
    struct lan_state {
        timestamp next_send{0};
    };

    wire::message make(wire::type kind, std::uint32_t seq) const;
    /// How the effects name path k of `p`.
    path_ref ref(const peer& p, path_key k) const { return {p.node_id, lans_[k.lan].name, k.fam}; }
    /// The datagram for `m`, sent in family `fam` on LAN `li` (the MAC binds both).
    std::vector<std::uint8_t> encode(const wire::message& m, std::size_t li, family fam) const;
    bool keyed() const { return !cfg_.keys.empty(); }
    /// A probe-only INQ to `target` on LAN `li` (by unicast; it names its
    /// target, so only the host that holds it answers).
    void send_probe(std::size_t li, const ip_address& target, std::uint32_t seq, engine_output& out);
    /// The round on LAN-family k: close the last one, plan this one
    /// (round_plan), send its INQ, warm-up probes and proof probes.
    /// `due`: when the round was due to start (stall_guard: judged late?).
    void send_inq(path_key k, timestamp now, engine_output& out, timestamp due);
    /// A peer with a path on a LAN-family, and that path.
    struct round_member {
        peer* p;
        path* pa;
    };
    /// The peers with a path on LAN-family k, in peer order.
    std::vector<round_member> paths_on(path_key k);
    /// Whether round `round` on those paths wants ACKs of mutual peers
    /// (round_plan::decide_acks); counts their RTT bursts down.
    round_plan::ack_decision decide_acks(std::uint32_t round, const std::vector<round_member>& on_k);
    /// Closes the last round on LAN-family k: every path still waiting for
    /// its ACK missed it (each probe counts once).
    void close_round(path_key k, const std::vector<round_member>& on_k, bool ack_round, timestamp now,
                     engine_output& out, timestamp due);
    /// Path pa awaits the answer to round INQ `seq` (`can_send`: it leaves).
    void await_round(path& pa, std::uint32_t seq, bool can_send, timestamp now);
    /// Warm-up probes on LAN-family k, copies of `round_inq` (round_plan).
    void send_warmups(path_key k, const wire::message& round_inq, engine_output& out);
    /// A new incarnation, every LAN's rounds from a new start (round_seq_limit).
    void renew_incarnation(engine_output& out);
    path& ensure_path(peer& p, path_key k, timestamp now, engine_output& out, bool heard_here);
    /// Takes in what the datagram says of its sender (peer_learning): its
    /// paths follow its address list; `heard` is the path it came in on
    /// (kept, whatever the address list says).
    void learn(peer& p, const wire::message& m, timestamp now, engine_output& out, path_key heard);
    void apply(peer& p, path_key k, const std::optional<transition>& t, engine_output& out);
    void collect_own_addresses();
    void notify(peer& p, path_key dead, engine_output& out);
    void on_notice(peer& p, std::size_t arrived_on, const wire::message& m, timestamp now, engine_output& out);
    void check_damping(timestamp now, engine_output& out);
    duration confirm_timeout(const path& pa) const;
    /// How long a notice's probe waits for its answer (see on_notice);
    /// `doubted`: soon after a refuted one.
    duration notice_wait(const peer& p, const path& pa, bool doubted) const;
    /// Sends a probe with a purpose to the next hop of path k and returns
    /// it, for its slot (the path's notice or suspicion check, or its wait
    /// as a retry): its answer is awaited for `wait`, and its silence does
    /// `action` (on_silence).
    /// `last_chance`: the fresh probe of a held miss (stall_guard), whose
    /// silence is never held again.
    purposeful_probe launch(path_key k, const path& pa, purposeful_probe::on_silence action, duration wait,
                            timestamp now, engine_output& out, bool last_chance = false);
    /// The busy-host rules (stall_guard): a silence of path k judged at
    /// `now` (for a deadline `due`, if it had one) is held for a fresh probe
    /// when the deadline was judged late or every up path of `p` is silent:
    /// how long that probe waits, or nullopt when the silence counts as ever.
    std::optional<duration> held_wait(const peer& p, path_key k, const path& pa, std::optional<timestamp> due,
                                      timestamp now) const;
    /// The probe in `slot` went unanswered: its action (a retry's is
    /// counted from a copy of it: its slot is the wait).
    void on_silence(peer& p, path_key k, path& pa, std::optional<purposeful_probe>& slot, timestamp now,
                    engine_output& out);
    /// How long a probe to `pa` may go unanswered before fast confirmation
    /// counts it missed; nullopt when it does not apply (then the round's
    /// end decides).
    std::optional<duration> retry_timeout(const path& pa) const;
    /// One pass over the peers before the rounds close, for the paths whose
    /// next deadline passed at `now`: a peer's ACK waits first (judge_ack),
    /// then its INQ deadlines (lapse_mutual, or a responder's lapses).
    void judge_deadlines(timestamp now, engine_output& out);
    /// The probe awaited on path k passed its retry timeout: counted as
    /// missed (while the peer answers elsewhere) and sent again (to a path
    /// still up).
    void judge_ack(peer& p, path_key k, path& pa, timestamp now, engine_output& out);
    /// Every LAN-family whose round is due at `now`: its INQ (send_inq).
    void send_rounds(timestamp now, engine_output& out);
    /// One pass over the peers after the rounds: the checks whose probe
    /// went unanswered (suspicions: their misses count), the BYE checks
    /// that ended, then the notice checks.
    void run_checks(timestamp now, engine_output& out);
    /// Fast confirmation's retry: a probe-only INQ to the peer on path k,
    /// and a control probe beside it on another path (control_path); it
    /// waits `rto`, and at least the control path's own timeout.
    void send_retry(peer& p, path_key k, path& pa, duration rto, timestamp now, engine_output& out);
    /// The path of `p` that carries the control probe beside a retry on
    /// `self` (round_plan::choose_control among those up, with a hop and a
    /// source): answered, it shows the peer alive while the retry waits.
    std::optional<std::pair<path_key, path*>> control_path(peer& p, path_key self);
    /// The peer spoke on a path other than `self` at or after `since`.
    bool heard_elsewhere_since(const peer& p, path_key self, timestamp since) const;
    /// A retry went unanswered, and so did the peer everywhere else since
    /// it left (its control too): the peer stalled, more likely than its
    /// path failed just then. The miss is owed, for one last-chance check
    /// that waits as for a mass silence (stall_guard).
    void hold_peer_silence(peer& p, path_key k, path& pa, timestamp now, engine_output& out);
    /// The peer spoke on path `heard_on`: each other path whose retry's
    /// silence was held as the peer's is retried by the next tick. A real failure thus costs the held retry only the time
    /// until the peer is heard elsewhere (the control's late answer, or its
    /// next datagram), not the hold's wait.
    void retry_held(peer& p, path_key heard_on, timestamp now);
    /// The effect of a miss the stall_guard rules held: judged `late`
    /// (stall) or not (mass silence).
    void note_held(const peer& p, path_key k, const path& pa, bool late, engine_output& out) const;
    /// The peer spoke on `pa`: a hold there ends (its retry is moot).
    void release_hold(path& pa);
    /// The retries retry_held made due on `p`'s paths, at `now`.
    void send_held_retries(peer& p, timestamp now, engine_output& out);
    /// True when `p` answers on a path other than `self`: up, nothing
    /// missed, no probe overdue (nor, on a mutual path, its INQ).
    bool answers_elsewhere(const peer& p, path_key self, timestamp now) const;
    /// Mutual rounds with `p`: both requestors, both with them on.
    bool mutual_with(const peer& p) const { return cfg_.requestor && cfg_.mutual && p.mutual; }
    /// We judge `p`'s paths by its INQs (as a responder, or in mutual rounds).
    bool judged_by_inqs(const peer& p) const { return !cfg_.requestor || mutual_with(p); }
    /// Whether a good round on `pa` counts now (and if so, notes it): on a
    /// mutual path not within half the peer's interval of the last one
    /// counted, which was the same round (an ACK round's answer and INQ).
    bool count_good(const peer& p, path& pa, timestamp now);
    /// How late a mutual peer's INQ may be before it counts as missed.
    duration mutual_slack(const peer& p, const path& pa) const;
    /// A mutual path whose peer's INQ is overdue at `now`: a miss (and, with
    /// fast confirmation, a retry at once).
    void lapse_mutual(peer& p, path_key k, path& pa, timestamp now, engine_output& out);
    /// LAN-family k's place in lan_states_ and in the sequence space.
    static std::size_t slot(path_key k) { return k.lan * 2 + (k.fam == family::v6); }
    lan_state& state_of(path_key k) { return lan_states_[slot(k)]; }
    void expire_peers(timestamp now, engine_output& out);
    /// Frees a place in a full peer table for a new node id; false when no
    /// peer may give way (see PROTOCOL.md, "Trust").
    bool make_room(timestamp now, engine_output& out);
    /// Whether a new node id first heard from `from` on LAN `li` gets a
    /// place in the peer table (table full, ids per source).
    bool admit(std::size_t li, const ip_address& from, timestamp now, engine_output& out);
    /// Never pushed out for a newcomer: with keys any peer with a path up;
    /// without, a peer with paths up on two LANs.
    bool sheltered(const peer& p) const;
    /// Removes a peer (BYE, lost, evicted): its proofs go dormant, with keys
    /// its incarnation is remembered (a replay of it is dropped).
    peer_map::iterator forget(peer_map::iterator it, engine_output& out);

    // ---- trust: proofs, next hops, suspected misses (PROTOCOL.md "Trust")
    using proof_probe = address_proofs::proof_probe;
    // ---- a datagram's way: admission, evidence, verdict, effects
    /// What a datagram that got in answers of ours.
    struct answers {
        bool round_inq = false;  ///< it is a round INQ (not probe-only)
        bool probe = false;      ///< the ACK to a round INQ or retry of ours on its path
        bool confirm = false;    ///< to a notice's check
        bool check = false;      ///< to a suspected miss's check
        bool bye_check = false;  ///< to a BYE's check
        bool control = false;    ///< to a control probe (beside another path's retry)
        std::optional<proof_probe> proof;  ///< to a proof probe
        bool ours() const { return probe || confirm || check || bye_check || control || proof; }
    };
    /// Counts a datagram admission dropped (and logs it, rate-limited).
    void refuse(const admission::drop& d, std::size_t li, const ip_address& from, timestamp now, engine_output& out);
    /// The sender's checks, a place in the peer table, the path it came
    /// in on, and a round INQ's replay check: the peer, or nullptr when
    /// the datagram goes no further.
    peer* take_in(const wire::message& m, std::size_t li, const ip_address& from, timestamp now, engine_output& out);
    /// Which probes of ours `m` answers (a proof probe's answer is taken
    /// off the list, and one from another node is logged).
    answers what_it_answers(peer& p, const path& pa, const wire::message& m, std::size_t li, const ip_address& from,
                            timestamp now, engine_output& out);
    /// The peer answered us (or sent a round INQ) on path k: suspicions,
    /// notices and BYEs it refutes, proofs it gives.
    void on_answers(peer& p, path_key k, path& pa, const answers& a, const ip_address& from, timestamp now,
                    engine_output& out);
    /// A round INQ: answered; a round for a responder or a mutual peer.
    void on_inq(peer& p, path_key k, path& pa, const wire::message& m, const ip_address& from,
                std::uint16_t from_port, timestamp now, engine_output& out);
    /// The ACK to our round INQ (or its retry): an RTT sample, a good round.
    void on_round_ack(peer& p, path_key k, path& pa, const wire::message& m, timestamp now, engine_output& out);

    /// Sends the probes the paths on LAN-family `k` need: to an unproven
    /// next hop (or one waiting as a candidate), with keys to a path that
    /// has no fresh answer yet, and to every address the peer advertises
    /// there that it has not proven (paths up only). Only `only`'s paths
    /// when given.
    void probe_for_proofs(path_key k, timestamp now, engine_output& out, const peer* only = nullptr);
    /// An answer to proof probe `pr` from `p` on path k.
    void on_proof(peer& p, path_key k, const proof_probe& pr, timestamp now, engine_output& out);
    /// The path's next hop is an address the peer proved.
    bool hop_proven(const peer& p, path_key k, const path& pa) const;
    /// A datagram from `from` spoke for path k: it may become the next hop.
    void note_source(peer& p, path_key k, path& pa, const ip_address& from, engine_output& out);
    /// A missed round. Without keys a miss the datagrams suggest is only
    /// suspected (`confirmed` false): it counts once a probe of ours goes
    /// unanswered too (check); `retry_follows`: a fast confirmation retry
    /// is that probe. Carrier loss and our own unanswered probes confirm.
    /// `due`: the deadline the miss is judged by, if any (held_wait).
    void miss(peer& p, path_key k, path& pa, down_reason why, bool confirmed, timestamp now, engine_output& out,
              bool retry_follows = false, std::optional<timestamp> due = std::nullopt);
    /// Counts the misses a check owed (and `extra` more, for `extra_why`)
    /// as confirmed, and ends the check.
    void settle(peer& p, path_key k, path& pa, unsigned extra, timestamp now, engine_output& out,
                down_reason extra_why = down_reason::missed);
    /// A BYE: with keys the peer goes at once; without, once a probe of
    /// ours to each of its live paths goes unanswered (a forged BYE costs
    /// a probe, not the peer).
    void on_bye(peer_map::iterator it, std::size_t li, timestamp now, engine_output& out);
    /// The BYE check of `p` ended unanswered: true when another round of
    /// it went out, false when the peer is to be forgotten.
    bool check_leaving(peer& p, timestamp now, engine_output& out);
    /// One round of a BYE's check: a probe to each of the peer's paths
    /// that is not down; false when there is none to probe.
    bool send_bye_checks(peer& p, timestamp now, engine_output& out);
    /// Counts a dropped datagram; logs the first of each reason in full,
    /// later ones as counts (drop_log).
    void note_drop(std::uint64_t& counter, const char* reason, std::size_t li, const ip_address& from, timestamp now,
                   engine_output& out);
    duration peer_interval(const peer& p) const;
    /// The first round start at or after `at` (`at` itself when rounds are
    /// not aligned to the wall clock).
    timestamp aligned_at_or_after(timestamp at) const;

    engine_config cfg_;
    std::vector<lan> lans_;
    std::vector<lan_state> lan_states_;  // per LAN: IPv4, IPv6
    std::vector<ip_address> own_addresses_;
    bool family_used_[2] = {false, false};  ///< we have a routable IPv4 / IPv6 address on some LAN
    peer_map peers_;
    drop_counters drops_;
    timestamp next_expiry_check_{0};
    /// Dropped datagrams and other events strangers can cause: the first of
    /// each kind in full, then a count a minute.
    drop_log drop_log_;
    /// Lines about peers (seen, evicted): at most 20 a second.
    line_budget peer_lines_;
    address_book book_;
    address_proofs::in_flight proofs_;  ///< proof probes not yet answered
    /// With keys: the incarnation of each forgotten peer (its replays are
    /// dropped), the newest 1024.
    peer_upkeep::tombstones tombstones_{1024};
    /// Incarnations and sequence numbers (round INQs per LAN-family, probes).
    sequence_space seq_;
};

}  // namespace faild
