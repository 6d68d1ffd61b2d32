#!/usr/bin/env bash
# Issue 19, "a reboot during an outage" (IPv4 2-host lab): faild keeps what
# peers proved in a state file (--state-file; its runtime directory by
# default); a reboot loses it. Here h1's "reboot" is a stop, the removal of
# its state file ($H1_STATE, default $DIR/h1.state, given to faild as
# --state-file), and a start. Skipped (77) for a faild whose --help does
# not mention state-file (c30038b's).
#  Keyless: h2's LAN A is cut, both fail over, h1 "reboots". h1 may not
#    route 192.0.2.2 (nothing proves it any more) in any sample (every
#    20-50 ms) for 3 s. Then LAN A returns: h1 gets h2's LAN-A path up
#    (proof again), and a second cut fails h1 over within 10 s.
#  Keyed (both with -k): the same cut and "reboot"; h1 routes 192.0.2.2
#    via 198.51.100.2 within 5 s of its start (an authenticated claim).
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made, python3 is missing or the faild has no state file.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=atkb$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
if ! "$FAILD" --help 2>&1 | grep -q 'state-file'; then
  echo "SKIP: $FAILD has no --state-file (its --help does not mention state-file)" >&2
  exit 77
fi
attack_begin reboot_outage "$FAILD" "$FAILDCTL"
H1_STATE=${H1_STATE:-$DIR/h1.state}
H2_STATE=${H2_STATE:-$DIR/h2.state}

h1_failed_over() {
  local r
  r=$(routes_of h1)
  [[ $(grep -c . <<<"$r") -eq 1 ]] && grep -qE -- "$H1_ROUTE" <<<"$r" && return 0
  WHY="h1's routes: [${r//$'\n'/;}]"
  return 1
}
h1_no_route_a() {
  local r
  r=$(routes_of h1 | grep -E '^192\.0\.2\.2(/32)? ')
  [[ -z $r ]] && return 0
  WHY="h1: $r"
  return 1
}
phase_up() {  # TAG [ARG...]: both started with fresh logs, every path up, LAN A cut, both failed over
  local tag=$1
  shift
  L1=$DIR/h1-$tag.log L2=$DIR/h2-$tag.log
  FAILD_LOG=$L1 start_faild h1 --state-file "$H1_STATE" "$@"
  FAILD_LOG=$L2 start_faild h2 --state-file "$H2_STATE" "$@"
  wait_paths_up
  both_empty || fail "$tag: faild installed routes while all paths are up"
  lab_fault h2 a silent || fail "lab_fault"
  lab_wait 10 both_failed_over || { show_routes; fail "$tag: no failover after the cut of h2's LAN A"; }
  step "$tag: all paths were up; h2's LAN A cut: h1 routes $(lab_routes h1)"
}
reboot_h1() {  # ARG...: stop, state file removed, start
  stop_faild h1
  rm -f "$H1_STATE"
  [[ -e $H1_STATE ]] && fail "cannot remove $H1_STATE"
  n_reboot=$(nlines "$L1")
  FAILD_LOG=$L1 start_faild h1 --state-file "$H1_STATE" "$@"
  step "h1 \"rebooted\": stopped, $H1_STATE removed, started"
}

step "lab $LAB: 2 hosts"
lab_up 2 || fail "lab_up"

# ------------------------------------------------------------- keyless ---
phase_up keyless
reboot_h1
OBS_HOSTS=h1
if observe 3 h1_no_route_a; then
  step "keyless: no route for 192.0.2.2 at h1 in $OBS_N samples over 3 s after the reboot"
else
  bad "keyless reboot during the outage: h1 routed 192.0.2.2 without a proof in $OBS_BAD of $OBS_N samples, the first $OBS_FIRST"
fi
lab_restore h2 a || fail "lab_restore"
a_up_again() { has_since "$L1" "$n_reboot" path_up peer=h2 lan=eth0 family=v4; }
if lab_wait 15 a_up_again; then
  lab_fault h2 a silent || fail "lab_fault"
  if lab_wait 10 h1_failed_over; then
    step "keyless: LAN A back, h2's path up again; a second cut fails h1 over: $(lab_routes h1)"
  else
    bad "keyless: after LAN A came back and h2's path was up, a second cut did not fail h1 over within 10 s ($WHY)"
  fi
  lab_restore h2 a || fail "lab_restore"
else
  bad "keyless: h2's LAN-A path not up at h1 within 15 s of the repair"
fi
lab_wait 20 both_empty || bad "keyless: no switchback within 20 s of the repair: [$(lab_routes h1 | paste -sd';')]"
stop_daemons
rm -f "$H1_STATE" "$H2_STATE"

# --------------------------------------------------------------- keyed ---
KEY=$DIR/key
make_key "$KEY"
phase_up keyed -k "$KEY"
reboot_h1 -k "$KEY"
t0=$(_lab_us)
if lab_wait 5 h1_failed_over; then
  step "keyed: h1 routes 192.0.2.2 via 198.51.100.2 $((($(_lab_us) - t0) / 1000)) ms after its start"
else
  bad "keyed reboot during the outage: h1 has no failover route within 5 s of its start ($WHY)"
fi
lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || bad "keyed: no switchback within 20 s of the repair: [$(lab_routes h1 | paste -sd';')]"
daemons_alive || bad "a daemon exited"
attack_end
