#!/usr/bin/env bash
# Issue 19, item 6: with keys, a replay after a BYE resurrects nobody
# (IPv4 3-host lab; h1 and h2 share a key; h3 is the attacker, no faild).
# h3 records, through a port mirror of h2's LAN-A switch port (a packet
# socket on the port in the lab's switch namespace), 6 s of the INQs h2
# sends (unicast to h1 and broadcast; valid MACs). h2 then stops cleanly
# (SIGTERM, BYE) and h1 forgets it. h3 replays the recording, in order,
# 10 a second, from its own address 192.0.2.3 to h1 (192.0.2.1):
#   - h1 installs no faild route at any sample (every 20-50 ms) for 6 s,
#     and logs no route_added via 192.0.2.3
#   - h1's faildctl status never shows h2 with a path up (checked with
#     every sample), and h1 logs no path_up for h2
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=atk6$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
attack_begin replay_bye "$FAILD" "$FAILDCTL"

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
  --seconds 6 --out "$DIR/recorded.hex" || fail "h3 recorded nothing of h2 on the mirror of h2a"
nrec=$(grep -c . "$DIR/recorded.hex")
((nrec >= 30)) || fail "only $nrec INQs of h2 recorded in 6 s (expected ~60)"
awk '/^captured type=/ { split($3, f, "="); if (int(f[2] / 4) % 2 != 1) bad = 1 } END { exit bad }' "$DIR/record.out" ||
  fail "a recorded datagram lacks the authenticated flag"
step "h3 recorded $nrec signed INQs of h2 ($(grep -c 'dst=192.0.2.1 ' "$DIR/recorded.hex") unicast to h1)"

n0=$(nlines "$L1")
stop_faild h2
no_h2() { ! ctl_status h1 | grep -q '^h2|'; }
lab_wait 5 no_h2 || fail "h1 still lists h2 5 s after its clean stop: $(ctl_status h1 | grep '^h2|' | paste -sd' ')"
step "h2 stopped cleanly; h1 forgot it"

atk_spawn h3 replay replay --dev eth0 --in "$DIR/recorded.hex" --to 192.0.2.1 --interval 0.1 --seconds 10 \
  --no-cycle --stats "$DIR/replay.stats"
RPID=$APID
OBS_HOSTS=h1
h1_unmoved() {
  local up
  no_routes h1 || return 1
  up=$(ctl_status h1 | grep '^h2|[^|]*|[^|]*|up|')
  [[ -z $up ]] && return 0
  WHY="h1 status: ${up//$'\n'/ }"
  return 1
}
if observe 6 h1_unmoved; then
  step "replay: no faild route and no path of h2 up at h1 in $OBS_N samples over 6 s"
else
  bad "replay after BYE: $OBS_BAD of $OBS_N samples, the first $OBS_FIRST"
fi
step "replay report: $(cat "$DIR/replay.stats")"
stat_at_least "$DIR/replay.stats" sent 40 || bad "the replay sent too little: $(cat "$DIR/replay.stats")"
ups=$(lines_since "$L1" "$n0" path_up peer=h2 | sed 's/^.*event=/event=/')
[[ -z $ups ]] || bad "replay after BYE: h1 logged $(head -n1 <<<"$ups")"
seen=$(lines_since "$L1" "$n0" peer_seen peer=h2 | sed 's/^.*event=/event=/')
[[ -z $seen ]] || step "h1 logged $(head -n1 <<<"$seen")"
hijacked=$(log_routes_via "$L1" "$n0" '192\.0\.2\.3')
[[ -z $hijacked ]] || bad "replay after BYE: h1 logged $(head -n1 <<<"$hijacked")"
lab_stop "$RPID" TERM 5
lab_wait 10 no_routes h1 || bad "h1 still has faild routes 10 s after the replay: $WHY"
DPID[h2]=''
stop_daemons() { stop_faild h1; }
attack_end
