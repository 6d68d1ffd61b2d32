#!/usr/bin/env bash
# Replayed authenticated probes (3-host lab, IPv4): h1 and h2 share a key
# (-k); h3 is the attacker and runs no faild. h3 records h2's real INQs
# (broadcast on LAN A, valid MAC: with one peer, h2 sends its INQs to h1
# by unicast, but every 16th round by broadcast, and h3 sees those; 10 s
# of them), then h2's LAN A is cut silently and h3
# replays the recordings to h1 (unicast 192.0.2.1 and broadcast
# 192.0.2.255, TTL 255, one per 100 ms per destination) while:
#   - h1 still declares h2's eth0 path down and installs exactly the
#     failover route of failover_v4.sh, and keeps it while the replay goes on
#   - h1 never answers a replayed INQ (no ACK reaches h3: the replay check,
#     "sequence not above the last one seen on that path", drops them before
#     anything is answered or learned)
#   - the switchback still happens after the repair
#   - h1 logs the drop: "drop reason=replay ... from=192.0.2.3" (the first
#     in full; the count lines come a minute apart, after this test)
# The drop is also asserted through behaviour (no ACK, path stays down,
# route stays).
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=frpl$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || { echo "SKIP: python3 is not installed" >&2; exit 77; }
TOOL=$SRC/test/tools/faild_attacker.py
netns_begin replay "$FAILD" "$TOOL"

KEY=$DIR/key
( umask 077; printf '%s\n' 5f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 >"$KEY" )

step "lab $LAB: 3 hosts (h3: attacker, no faild)"
lab_up 3 || fail "lab_up"
start_faild h1 -k "$KEY"
start_faild h2 -k "$KEY"
step "keyed faild started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
grep -q 'event=start .*auth="hmac-sha256' "$L1" || fail "h1's start line does not say hmac-sha256"
step "all paths up"

# --- capture -------------------------------------------------------------
lab_exec h3 "$PY" "$TOOL" capture --dev eth0 --src 192.0.2.2 --seconds 10 --out "$DIR/captured.hex" \
  >"$DIR/capture.out" 2>&1 || fail "capture on h3 failed"
ncap=$(grep -c . "$DIR/captured.hex")
((ncap >= 4)) || fail "only $ncap datagrams of h2 captured on LAN A in 10 s (expected ~6 broadcast INQs)"
grep -q 'type=1 flags=[0-9]*' "$DIR/capture.out" || fail "no INQ among the captured datagrams"
awk '/^captured type=/ { split($3, f, "="); if (int(f[2] / 4) % 2 != 1) bad = 1 } END { exit bad }' "$DIR/capture.out" ||
  fail "a captured datagram lacks the authenticated flag"
step "captured $ncap authenticated datagrams of h2 on LAN A: $(grep -m1 '^captured type=' "$DIR/capture.out" | sed 's/^captured //') ..."

# --- cut + replay ----------------------------------------------------------
n0=$(nlines "$L1")
lab_fault h2 a silent || fail "lab_fault"
step "silent cut of h2's LAN A"
lab_spawn h3 "$DIR/replay.out" "$PY" "$TOOL" replay --dev eth0 --in "$DIR/captured.hex" \
  --to 192.0.2.1 --to 192.0.2.255 --interval 0.1 --seconds 40 --stats "$DIR/replay.stats" || fail "start replay"
RPID=$LAB_PID
stat_of() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" "$DIR/replay.stats" 2>/dev/null; }
sent_at_least() { local s; s=$(stat_of sent); [[ -n $s ]] && ((s >= $1)); }
lab_wait 5 sent_at_least 2 || fail "the replay does not run"
step "h3 replays them to 192.0.2.1 and 192.0.2.255 (TTL 255, every 100 ms)"

h1_down() { has_since "$L1" "$n0" path_down peer=h2 lan=eth0; }
lab_wait 10 h1_down || fail "h1 did not declare h2's eth0 path down during the replay"
step "h1: $(first_event_since "$L1" "$n0" path_down peer=h2 lan=eth0)"
lab_wait 10 both_failed_over || {
  show_routes
  fail "expected exactly [h1: 192.0.2.2 via 198.51.100.2 dev eth1 src 192.0.2.1] and [h2: 192.0.2.1 via 198.51.100.1 dev eth1 src 192.0.2.2]"
}
step "both failed over despite the replay:"
show_routes

# The route stays while the replay goes on (5 s, checked every 100 ms).
s0=$(stat_of sent)
deadline=$(($(_lab_us) + 5000000))
while (($(_lab_us) < deadline)); do
  routes_are h1 "$H1_ROUTE" || { show_routes; fail "h1's failover route changed while the replay went on"; }
  alive "$RPID" || fail "the replay stopped early"
  sleep 0.1
done
s1=$(stat_of sent)
((s1 - s0 >= 60)) || fail "the replay sent only $((s1 - s0)) datagrams in 5 s (expected ~100)"
step "route unchanged for 5 s while h3 replayed $((s1 - s0)) more datagrams"

has_since "$L1" "$n0" path_up peer=h2 lan=eth0 && fail "h1 brought h2's eth0 path back up on replays"
has_since "$L1" "$n0" peer_restarted && fail "h1 took a replay for a restart"
has_since "$L1" "$n0" notice_refuted lan=eth0 && fail "a replay refuted a notice on eth0"
acks=$(stat_of acks)
[[ $acks == 0 ]] || fail "h1 answered $acks replayed INQs with ACKs (they passed the replay check)"
daemons_alive || fail "a daemon exited"
lab_log_has "$L1" drop reason=replay 'from=192\.0\.2\.3' ||
  fail "h1 logged no 'drop reason=replay ... from=192.0.2.3' line"
step "h1 logged: $(first_event "$L1" drop reason=replay)"
lab_log_has "$L1" drop reason=replay 'from=192\.0\.2\.(1|2)' && fail "h1 logged a real peer's datagram as a replay"
lab_log_has "$L2" drop reason=replay && fail "h2 logged a replay (none was sent to it)"

lab_stop "$RPID" TERM 5
step "replay report: $(tail -n1 "$DIR/replay.out")"

# --- switchback --------------------------------------------------------------
lab_restore h2 a || fail "lab_restore"
step "h2's LAN A restored"
lab_wait 20 both_empty || { show_routes; fail "faild routes not removed within 20 s of the repair"; }
lab_log_has "$L1" route_removed reason=switchback || fail "h1's log has no route_removed ... reason=switchback"
step "switched back"
stop_daemons
both_empty || { show_routes; fail "faild routes left at the end"; }

PASSED=1
step "PASS"
exit 0
