#!/usr/bin/env bash
# Start-up before DAD is over (issue 20, item 9; dual-stack lab of two hosts,
# faild -r -t 0.1 -f 3 -s 3 with a state file where it has one):
#
#   1. h1 and h2 run, every path up (h1 has proven h2's addresses); h1's
#      faild stops cleanly (its proofs go to the state file).
#   2. h1's LAN A interface is made again and h1's faild started at once,
#      without waiting for DAD: its IPv6 link-local address there is still
#      tentative (checked), so h1 cannot send IPv6 on LAN A for a second or
#      two. Its IPv6 paths there must stay in init meanwhile: h1 has no faild
#      route at any sample until all its paths are up (before: they went
#      down from=init and 2001:db8:a::2 was routed via LAN B for a while).
#   3. a LAN that is really dead at start still fails over: h2's LAN A cut
#      silently, h1's LAN A made again and h1's faild started at once: h1
#      routes h2's LAN A addresses via LAN B, IPv4 at once and IPv6 once its
#      link-local address is usable.
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces cannot
# be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=fst$$ LAB_FAMILY=dual LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
attack_begin startup_tentative "$FAILD"

ll_tentative() {  # HOST LAN: HOST's IPv6 link-local address on LAN is tentative
  local ns
  ns=$(_lab_ns "$1") || return
  ip -n "$ns" -6 -o addr show dev "$(_lab_dev "$2")" scope link | grep -q tentative
}
h1_paths_up() { paths_up "$L1" "$L2"; }

step "lab $LAB: 2 hosts, dual stack"
lab_up 2 || fail "lab_up"
mapfile -t S1 < <(state_args h1)
mapfile -t S2 < <(state_args h2)
start_faild h1 "${S1[@]}"
start_faild h2 "${S2[@]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"
stop_faild h1
step "h1's faild stopped"

# --- 2. started while the link-local address is tentative ----------------------
lab_iface_recreate h1 a nowait || fail "lab_iface_recreate h1 a nowait"
L1=$DIR/h1-tentative.log
FAILD_LOG=$L1 start_faild h1 "${S1[@]}"
ll_tentative h1 a && tentative=yes || tentative=no
step "h1's eth0 made again, faild started at once (link-local tentative at start: $tentative)"
[[ $tentative == yes ]] || fail "h1's link-local address on eth0 was no longer tentative when faild started: the test proves nothing"
OBS_HOSTS=h1
t0=$(_lab_us)
until h1_paths_up || (($(_lab_us) - t0 > 20000000)); do
  observe 0.5 no_routes h1 || bad "during start-up, before DAD was over, $OBS_FIRST"
done
h1_paths_up || bad "h1's paths did not all come up within 20 s of its start"
step "h1's paths all up $((($(_lab_us) - t0) / 1000)) ms after its start"
no_routes h1 || bad "h1 has faild routes with every path up: $WHY"
n=$(lab_log_count "$L1" path_down peer=h2)
((n == 0)) || bad "h1 took $n path(s) to h2 down during start-up: $(lab_log_lines "$L1" path_down peer=h2 | head -n1 | sed 's/^.*event=/event=/')"
stop_faild h1

# --- 3. a LAN really dead at start still fails over ----------------------------
lab_fault h2 a silent || fail "lab_fault"
lab_iface_recreate h1 a nowait || fail "lab_iface_recreate h1 a nowait"
L1=$DIR/h1-dead.log
FAILD_LOG=$L1 start_faild h1 "${S1[@]}"
step "h2's LAN A cut, h1's eth0 made again, faild started at once"
v4_route() { lab_routes_fam h1 v4 | grep -q '^192\.0\.2\.2 via 198\.51\.100\.2 dev eth1'; }
v6_route() { lab_routes_fam h1 v6 | grep -q '^2001:db8:a::2 via fe80::[0-9a-f:]* dev eth1'; }
lab_wait 5 v4_route || bad "LAN A dead at start: no IPv4 failover route at h1 within 5 s: [$(lab_routes h1 | paste -sd';')]"
lab_wait 15 v6_route || bad "LAN A dead at start: no IPv6 failover route at h1 within 15 s: [$(lab_routes h1 | paste -sd';')]"
step "h1 fails over for h2's LAN A: $(lab_routes h1 | paste -sd';')"
lab_restore h2 a || fail "lab_restore"
lab_wait 20 routes_empty h1 || bad "no switchback at h1 within 20 s of the repair"
attack_end
