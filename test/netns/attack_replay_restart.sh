#!/usr/bin/env bash
# Issue 19, item 8: with keys, a replay after our own restart does not
# bring a dead path up (IPv4 3-host lab; h1 and h2 share a key; h3 is the
# attacker and runs no faild).
# h3 records, through a port mirror of h2's LAN-A switch port, 10 s of the
# INQs h2 sends while all is well. h2's LAN A is then cut silently (h1
# routes 192.0.2.2 via 198.51.100.2). h3 replays the recording, in order,
# 10 a second, from its own address to h1 (192.0.2.1), and while it does,
# h1's faild is restarted (SIGTERM, then started again):
#   - within 4 s of the new start h1 has the failover route again
#   - it keeps it in every sample (every 20-50 ms) while the replay goes on
#     (4 s), and logs no path_up for h2 on eth0
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=atk8$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
attack_begin replay_restart "$FAILD" "$FAILDCTL"

KEY=$DIR/key
make_key "$KEY"
step "lab $LAB: 3 hosts (h3: attacker, no faild), h1 and h2 keyed"
lab_up 3 || fail "lab_up"
mapfile -t S1 < <(state_args h1)
mapfile -t S2 < <(state_args h2)
start_faild h1 -k "$KEY" "${S1[@]}"
start_faild h2 -k "$KEY" "${S2[@]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"

atk h3 record capture --dev eth0 --tap-netns "$(_lab_ns sw)" --tap-dev h2a --src 192.0.2.2 --type 1 \
  --seconds 10 --out "$DIR/recorded.hex" || fail "h3 recorded nothing of h2 on the mirror of h2a"
nrec=$(grep -c . "$DIR/recorded.hex")
((nrec >= 60)) || fail "only $nrec INQs of h2 recorded in 10 s (expected ~100)"
step "h3 recorded $nrec signed INQs of h2 on LAN A"

lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 both_failed_over || { show_routes; fail "no failover after the cut of h2's LAN A"; }
step "h2's LAN A cut: h1 routes $(lab_routes h1)"

atk_spawn h3 replay replay --dev eth0 --in "$DIR/recorded.hex" --to 192.0.2.1 --interval 0.1 --seconds 15 \
  --no-cycle --stats "$DIR/replay.stats"
RPID=$APID
lab_wait 5 stat_at_least "$DIR/replay.stats" sent 5 || fail "the replay does not run"
stop_faild h1
step "h1's faild stopped (the replay runs: $(cat "$DIR/replay.stats"))"
n0=$(nlines "$L1")
FAILD_LOG=$DIR/h1.log start_faild h1 -k "$KEY" "${S1[@]}"
t0=$(_lab_us)
OBS_HOSTS=h1
h1_failed_over() {
  local r
  r=$(routes_of h1)
  [[ $(grep -c . <<<"$r") -eq 1 ]] && grep -qE -- "$H1_ROUTE" <<<"$r" && return 0
  WHY="h1's routes: [${r//$'\n'/;}]"
  return 1
}
if lab_wait 4 h1_failed_over; then
  step "h1 restarted: the failover route is back after $((($(_lab_us) - t0) / 1000)) ms"
else
  bad "h1 restarted during the replay: no failover route within 4 s ($WHY)"
fi
if observe 4 h1_failed_over; then
  step "the failover route stayed in all $OBS_N samples over 4 s of replay"
else
  bad "after h1's restart the failover route was missing in $OBS_BAD of $OBS_N samples, the first $OBS_FIRST"
fi
tool_done "$DIR/replay.stats" && bad "the replay ended before the observation did: $(cat "$DIR/replay.stats")"
step "replay: $(cat "$DIR/replay.stats")"
ups=$(lines_since "$L1" "$n0" path_up peer=h2 lan=eth0 | sed 's/^.*event=/event=/')
[[ -z $ups ]] || bad "after h1's restart h1 logged $(head -n1 <<<"$ups")"
lab_stop "$RPID" TERM 5
lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || bad "no switchback within 20 s of the repair: [$(lab_routes h1 | paste -sd';')]"
daemons_alive || bad "a daemon exited"
attack_end
