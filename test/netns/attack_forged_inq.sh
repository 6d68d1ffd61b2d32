#!/usr/bin/env bash
# Issue 19, item 2: forged INQs must not take a healthy path down (IPv4
# 3-host lab, no keys; faild on h1 and h2, h3 is the attacker, no faild).
# h3 learns h2's incarnation, sequence and flags from h2's broadcast INQ on
# LAN A and sends h1 INQs as h2 from 192.0.2.3 with an empty heard list
# (so they say "h2 does not hear h1": a one-way failure, if believed):
#  1. three, 50 ms apart, with sequence numbers 50 ahead of h2's
#  2. three with sequence numbers near 2^31 - 1 (2147483640..2147483642)
# After each: for 4 s (sampled every 20-40 ms) neither h1 nor h2 has any
# faild route, and h1 logs no path_down for h2.
#  3. Then a real silent cut of h2's LAN A must still fail both over, and
#     its repair switch both back: h2's real INQs were not locked out as
#     replays of the forged sequence numbers.
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=atk2$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
attack_begin forged_inq "$FAILD" "$FAILDCTL"

step "lab $LAB: 3 hosts (h3: attacker, no faild), no keys"
lab_up 3 || fail "lab_up"
mapfile -t S1 < <(state_args h1)
mapfile -t S2 < <(state_args h2)
start_faild h1 "${S1[@]}"
start_faild h2 "${S2[@]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"

forge_round() {  # NAME SEQ-ARGS...: three forged INQs as h2, then 4 s of watching
  local name=$1 n0 n2 downs
  shift
  n0=$(nlines "$L1") n2=$(nlines "$L2")
  atk h3 "$name" forge --dev eth0 --to 192.0.2.1 --type inq --node-id h2 --learn --learn-family 4 "$@" \
    --count 3 --rate 20 --seconds 5 "${WIRE[@]}" --stats "$DIR/$name.stats" ||
    fail "$name: the forged INQs were not sent: $(tail -n2 "$DIR/$name.out")"
  step "$name: $(grep -m1 '^learned' "$DIR/$name.out" | cut -c1-110)"
  step "$name: $(grep -m1 '^forging' "$DIR/$name.out" | cut -c1-150)"
  if observe 4 no_routes h1 h2; then
    step "$name: no faild route on h1 or h2 in $OBS_N samples over 4 s"
  else
    bad "$name: $OBS_BAD of $OBS_N samples over 4 s had a faild route, the first $OBS_FIRST"
  fi
  downs=$(lines_since "$L1" "$n0" path_down peer=h2 | sed 's/^.*event=/event=/')
  [[ -z $downs ]] || bad "$name: h1 logged $(head -n1 <<<"$downs")"
  downs=$(lines_since "$L2" "$n2" path_down peer=h1 | sed 's/^.*event=/event=/')
  [[ -z $downs ]] || bad "$name: h2 logged $(head -n1 <<<"$downs")"
  lines_since "$L1" "$n0" drop reason=replay | sed 's/^.*event=/        h1 log: event=/' | head -n1
}

forge_round ahead --seq-ahead 50
# The next round starts from a quiet table, whatever the first did.
lab_wait 20 no_routes h1 h2 || bad "ahead: faild routes still there 20 s later: $WHY"
forge_round near_max --seq 2147483640
daemons_alive || fail "a daemon exited"

n0=$(nlines "$L1")
lab_fault h2 a silent || fail "lab_fault"
if lab_wait 10 both_failed_over; then
  step "real cut of h2's LAN A: both failed over"
else
  bad "real cut of h2's LAN A: no failover within 10 s: [$(lab_routes h1 | paste -sd';')] [$(lab_routes h2 | paste -sd';')]"
fi
lab_restore h2 a || fail "lab_restore"
if lab_wait 20 both_empty; then
  step "h2's LAN A repaired: both switched back"
else
  bad "h2's LAN A repaired: no switchback within 20 s (h2's real INQs locked out?): h1 [$(lab_routes h1 | paste -sd';')]; h1 dropped: $(lines_since "$L1" "$n0" drop reason=replay | sed 's/^.*event=/event=/' | head -n1)"
  ctl_status h1 | sed 's/^/        h1 status: /'
fi
attack_end
