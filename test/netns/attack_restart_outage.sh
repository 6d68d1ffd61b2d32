#!/usr/bin/env bash
# Issue 19, "a restart during an outage" (IPv4 2-host lab, no keys): h2's
# LAN A is cut silently and both fail over; then h1's faild is restarted
# (SIGTERM, started again at once with the same options, and the same
# --state-file where the faild has one). The failover route for 192.0.2.2
# must be back (or kept) within 2 s of the new start and stay in every
# sample (every 20-50 ms) for 2 s more; the repair then switches back.
# Printed: whether the route outlived the stop, and how long it was gone.
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=atkr$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
attack_begin restart_outage "$FAILD" "$FAILDCTL"

step "lab $LAB: 2 hosts, no keys"
lab_up 2 || fail "lab_up"
mapfile -t S1 < <(state_args h1)
mapfile -t S2 < <(state_args h2)
start_faild h1 "${S1[@]}"
start_faild h2 "${S2[@]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"
lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 both_failed_over || { show_routes; fail "no failover after the cut of h2's LAN A"; }
step "h2's LAN A cut: h1 routes $(lab_routes h1)"

h1_failed_over() {
  local r
  r=$(routes_of h1)
  [[ $(grep -c . <<<"$r") -eq 1 ]] && grep -qE -- "$H1_ROUTE" <<<"$r" && return 0
  WHY="h1's routes: [${r//$'\n'/;}]"
  return 1
}
t_stop=$(_lab_us)
stop_faild h1
kept=no
h1_failed_over && kept=yes
step "h1's faild stopped (route kept over the stop: $kept)"
FAILD_LOG=$DIR/h1.log start_faild h1 "${S1[@]}"
t_start=$(_lab_us)
if lab_wait 2 h1_failed_over; then
  step "h1 restarted: failover route there $((($(_lab_us) - t_start) / 1000)) ms after the start ($((($(_lab_us) - t_stop) / 1000)) ms after the stop began)"
else
  bad "h1 restarted during the outage: no failover route within 2 s of the start ($WHY)"
fi
OBS_HOSTS=h1
if observe 2 h1_failed_over; then
  step "the failover route stayed in all $OBS_N samples over 2 s"
else
  bad "after the restart the failover route was missing in $OBS_BAD of $OBS_N samples, the first $OBS_FIRST"
fi
lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || bad "no switchback within 20 s of the repair: [$(lab_routes h1 | paste -sd';')]"
daemons_alive || bad "a daemon exited"
attack_end
