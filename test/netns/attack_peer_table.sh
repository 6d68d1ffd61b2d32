#!/usr/bin/env bash
# Issue 19, item 5: a full peer table must not lock out a real peer (IPv4
# 4-host lab, no keys: faild on h1 and h2 from the start, on h3 later; h4
# is the attacker and runs no faild).
# With h1 and h2 up, h4 answers every INQ h1 sends on LAN A with an ACK
# from each of 255 fake node ids (fake000..fake254, all at 192.0.2.4), so
# that h1's table holds h2 and 255 fakes with a path up (the old faild's
# limit is 256 peers). Then h3, a real host, starts its faild:
#   - within 15 s h1 must have h3's paths up on both LANs
#   - a silent cut of h3's LAN A must then make h1 fail over for h3:
#     192.0.2.3 via 198.51.100.3 dev eth1, within 10 s
# How many fakes h1 took is printed, not judged (a faild may refuse most
# of them: many new node ids from one address).
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=atk5$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
attack_begin peer_table "$FAILD" "$FAILDCTL"

step "lab $LAB: 4 hosts (h3: a real host that starts late; h4: attacker, no faild), no keys"
lab_up 4 || fail "lab_up"
mapfile -t S1 < <(state_args h1)
mapfile -t S2 < <(state_args h2)
mapfile -t S3 < <(state_args h3)
start_faild h1 "${S1[@]}"
start_faild h2 "${S2[@]}"
wait_paths_up
step "h1 and h2: all paths up"

atk_spawn h4 crowd crowd --dev eth0 --own 192.0.2.4 --ids 255 --prefix fake --only-from 192.0.2.1 \
  --seconds 60 --count 600000 --stats "$DIR/crowd.stats"
CPID=$APID
fakes_up() { ctl_status h1 | grep -c '^fake[0-9]*|eth0|v4|up|'; }
all_fakes_up() { [[ $(fakes_up) -ge 255 ]]; }
if lab_wait 15 all_fakes_up; then
  step "h1 has 255 fake peers with a path up on LAN A"
else
  step "after 15 s h1 has $(fakes_up) fake peers with a path up (of 255 offered)"
fi
step "h1 lists $(ctl_status h1 | cut -d'|' -f1 | sort -u | grep -vc '^peer$') peers; attacker: $(cat "$DIR/crowd.stats")"

n0=$(nlines "$L1")
FAILD_LOG=$DIR/h3.log start_faild h3 "${S3[@]}"
h3_up() {
  lab_log_has "$L1" path_up peer=h3 lan=eth0 family=v4 && lab_log_has "$L1" path_up peer=h3 lan=eth1 family=v4
}
if lab_wait 15 h3_up; then
  step "h1 has h3's paths up on both LANs"
else
  bad "h3 started after the fakes: h1 has not got h3's paths up on both LANs within 15 s (h1 status: $(ctl_status h1 | grep '^h3|' | paste -sd' ')); h1 logged: $(lines_since "$L1" "$n0" peer_limit | sed 's/^.*event=/event=/' | head -n1)"
fi
alive "$CPID" || bad "the attacker stopped early: $(tail -n1 "$DIR/crowd.out")"

lab_fault h3 a silent || fail "lab_fault"
H1_H3='^192\.0\.2\.3 via 198\.51\.100\.3 dev eth1( .*)? src 192\.0\.2\.1( |$)'
h1_routes_h3() { lab_routes h1 | grep -qE -- "$H1_H3"; }
if lab_wait 10 h1_routes_h3; then
  step "h3's LAN A cut: h1 routes $(lab_routes h1 | grep -E '^192\.0\.2\.3 ')"
else
  bad "h3's LAN A cut: h1 did not fail over for h3 within 10 s (h1's routes: [$(lab_routes h1 | paste -sd';')])"
fi
lab_restore h3 a || fail "lab_restore"
lab_stop "$CPID" TERM 5
step "attacker report: $(tail -n1 "$DIR/crowd.out")"
lab_wait 20 no_routes h1 || bad "no switchback at h1 within 20 s of h3's repair: $WHY"
stop_faild h3
daemons_alive || bad "a daemon exited"
attack_end
