#!/usr/bin/env bash
# Issue 19, item 3: a forged BYE is no goodbye (IPv4 3-host lab, no keys;
# faild on h1 and h2, h3 is the attacker and runs no faild).
#  1. h3 reads h2's incarnation from its broadcast INQ on LAN A. h2's LAN A
#     is cut silently: h1 routes 192.0.2.2 via 198.51.100.2. h3 sends h1
#     BYEs as h2 with that incarnation on LAN A: one, then 5 a second for
#     4 s. h1's failover route must stay in every sample (every 20-50 ms):
#     any gap fails.
#  2. A clean stop: LAN A repaired, every path up, h2's faild stops on
#     SIGTERM. h1 installs no route at any time over the next 3 s, and
#     forgets h2 within 3 s (faildctl status lists no h2).
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=atk3$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
attack_begin bye "$FAILD" "$FAILDCTL"

step "lab $LAB: 3 hosts (h3: attacker, no faild), no keys"
lab_up 3 || fail "lab_up"
mapfile -t S1 < <(state_args h1)
mapfile -t S2 < <(state_args h2)
start_faild h1 "${S1[@]}"
start_faild h2 "${S2[@]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"

atk h3 sniff capture --dev eth0 --src 192.0.2.2 --node-id h2 --type 1 --max 1 --seconds 5 --out "$DIR/sniff.hex" ||
  fail "h3 heard no INQ of h2 on LAN A within 5 s"
INC=$(sed -n 's/^captured .* inc=\([0-9]*\) .*/\1/p' "$DIR/sniff.out" | head -n1)
[[ -n $INC ]] || fail "no incarnation in: $(cat "$DIR/sniff.out")"
step "h3 sniffed h2's incarnation $INC"

lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 both_failed_over || { show_routes; fail "no failover after the cut of h2's LAN A"; }
step "h2's LAN A cut: h1 routes $(lab_routes h1)"

OBS_HOSTS=h1
h1_failed_over() {
  local r
  r=$(routes_of h1)
  [[ $(grep -c . <<<"$r") -eq 1 ]] && grep -qE -- "$H1_ROUTE" <<<"$r" && return 0
  WHY="h1's routes: [$(paste -sd';' <<<"$r")]"
  return 1
}
bye_round() {  # NAME WATCH-SECONDS FORGE-ARGS...
  local name=$1 secs=$2 n0
  shift 2
  n0=$(nlines "$L1")
  atk_spawn h3 "$name" forge --dev eth0 --to 192.0.2.1 --type bye --node-id h2 --incarnation "$INC" \
    "$@" "${WIRE[@]}" --stats "$DIR/$name.stats"
  if observe "$secs" h1_failed_over; then
    step "$name: h1's failover route in all $OBS_N samples over $secs s ($(stat_of "$DIR/$name.stats" forged) BYEs forged)"
  else
    bad "$name: h1's failover route missing in $OBS_BAD of $OBS_N samples, the first $OBS_FIRST ($(stat_of "$DIR/$name.stats" forged) BYEs forged)"
    lines_since "$L1" "$n0" route_removed | sed 's/^.*event=/        h1 log: event=/' | head -n1
    lines_since "$L1" "$n0" bye | sed 's/^.*event=/        h1 log: event=/' | head -n1
  fi
  lab_stop "$APID" TERM 5
}
bye_round one_bye 2 --count 1 --seconds 2
bye_round bye_5s 5 --count 20 --rate 5 --seconds 4

lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || { show_routes; fail "no switchback within 20 s of the repair"; }
wait_all_up() { ctl_status h1 | grep -c '^h2|eth[01]|v4|up|' | grep -qx 2; }
lab_wait 10 wait_all_up || fail "h2's paths not up again at h1: $(ctl_status h1 | paste -sd' ')"
step "h2's LAN A repaired, switched back, every path up"

# ------------------------------------------------------------- clean stop ---
n0=$(nlines "$L1")
lab_stop "${DPID[h2]}" TERM 15
rc=$?
((rc == 0)) || bad "clean stop: h2's faild exited with status $rc on SIGTERM"
step "h2's faild stopped on SIGTERM (status $rc)"
no_h2() { ! ctl_status h1 | grep -q '^h2|'; }
t0=$(_lab_us)
FORGOT=''
h1_quiet() {
  [[ -z $FORGOT ]] && no_h2 && FORGOT=$((($(_lab_us) - t0) / 1000))
  no_routes h1
}
if observe 3 h1_quiet; then
  step "clean stop: h1 had no faild route in $OBS_N samples over 3 s"
else
  bad "clean stop: h1 installed a route in $OBS_BAD of $OBS_N samples, the first $OBS_FIRST"
fi
if [[ -n $FORGOT ]]; then
  step "clean stop: h1 forgot h2 within $FORGOT ms"
else
  bad "clean stop: h1 still lists h2 3 s after its clean stop: $(ctl_status h1 | grep '^h2|' | paste -sd' ')"
fi
lines_since "$L1" "$n0" path_down | sed 's/^.*event=/        h1 log: event=/' | head -n2
DPID[h2]=''
stop_daemons() { stop_faild h1; }
attack_end
