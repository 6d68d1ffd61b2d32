#!/usr/bin/env bash
# Three LANs (LAB_LANS=3, IPv4): routes go via the most preferred live LAN,
# in the order of -i eth0,eth1,eth2. Silent cuts of h2's ports:
#
#   A cut          h1: 192.0.2.2 via 198.51.100.2 dev eth1 src 192.0.2.1
#   A and B cut    h1: 192.0.2.2 via 203.0.113.2 dev eth2 src 192.0.2.1
#                      198.51.100.2 via 203.0.113.2 dev eth2 src 198.51.100.1
#                  (the route to 192.0.2.2 replaced in place: route_replaced)
#   B back         h1: 192.0.2.2 via 198.51.100.2 dev eth1 src 192.0.2.1 again
#   A back         no faild route
#
# and the mirror image on h2. At every stage the route set is exactly that
# (nothing more) and an echo flow h1 -> 192.0.2.2 gets replies.
# Then the preference is the order of -i, not the ifindex order: restarted
# with -i eth0,eth2,eth1, a cut of LAN A routes via LAN C (eth2).
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=f3l$$ LAB_FAMILY=v4 LAB_LANS=3
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-3lans "$FAILD" "$UDPECHO"

# routes_exactly HOST LINE...: HOST's faild routes are exactly these (each
# LINE an "ip route" prefix: "DST via GW dev DEV src SRC"; other attributes
# such as proto are ignored).
routes_exactly() {
  local host=$1 got want
  shift
  got=$(lab_routes "$host" | awk '{
      d = $1; v = ""; dv = ""; s = ""
      for (i = 2; i < NF; i++) { if ($i == "via") v = $(i + 1); if ($i == "dev") dv = $(i + 1); if ($i == "src") s = $(i + 1) }
      print d " via " v " dev " dv " src " s }' | sort)
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  [[ $got == "$want" ]]
}

H1_A='192.0.2.2 via 198.51.100.2 dev eth1 src 192.0.2.1'
H2_A='192.0.2.1 via 198.51.100.1 dev eth1 src 192.0.2.2'
H1_AB=('192.0.2.2 via 203.0.113.2 dev eth2 src 192.0.2.1' '198.51.100.2 via 203.0.113.2 dev eth2 src 198.51.100.1')
H2_AB=('192.0.2.1 via 203.0.113.1 dev eth2 src 192.0.2.2' '198.51.100.1 via 203.0.113.1 dev eth2 src 198.51.100.2')
stage_a() { routes_exactly h1 "$H1_A" && routes_exactly h2 "$H2_A"; }
stage_ab() { routes_exactly h1 "${H1_AB[@]}" && routes_exactly h2 "${H2_AB[@]}"; }
stage_none() { routes_exactly h1 && routes_exactly h2; }
# expect TIMEOUT STAGE WHAT: wait for the stage, then hold it a moment
expect() {
  lab_wait "$1" "$2" || { show_routes; fail "expected the route sets of '$3' within $1 s"; }
  daemons_alive || fail "a daemon exited"
  step "routes: $3"
  show_routes
}

STATS=$DIR/client.stats
flow_runs() {  # WHAT: the echo flow gets replies now
  local r0
  r0=$(received "$STATS")
  lab_wait 10 received_at_least "$STATS" $((r0 + 300)) || fail "no echo replies $1 (received stays near $r0)"
  step "echo flow gets replies $1 (received $r0 -> $(received "$STATS"))"
}

# ------------------------------------------------------------- test ---

step "lab $LAB: 2 hosts on three LANs, IPv4"
lab_up 2 || fail "lab_up"
start_faild h1 -i eth0,eth1,eth2
start_faild h2 -i eth0,eth1,eth2
step "faild -i eth0,eth1,eth2 started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
wait_paths_up
stage_none || { show_routes; fail "faild routes while all paths are up"; }
step "all six paths up, no faild routes"

start_server
start_client client 192.0.2.2
lab_wait 10 received_at_least "$STATS" 200 || fail "the echo flow h1 -> 192.0.2.2 does not run"
step "echo flow h1 -> 192.0.2.2 running"

lab_fault h2 a silent || fail "lab_fault h2 a"
step "silent cut of h2's LAN A"
expect 10 stage_a "LAN A dead: via LAN B (eth1)"
flow_runs "via LAN B"

n1=$(wc -l <"$L1")
lab_fault h2 b silent || fail "lab_fault h2 b"
step "silent cut of h2's LAN B too"
expect 10 stage_ab "LANs A and B dead: both via LAN C (eth2)"
flow_runs "via LAN C"
tail -n +"$((n1 + 1))" "$L1" >"$DIR/h1.phase2"
lab_log_has "$DIR/h1.phase2" route_replaced dst='192\.0\.2\.2(/32)?' ||
  fail "h1 did not replace its route to 192.0.2.2 in place (no route_replaced dst=192.0.2.2)"
lab_log_has "$DIR/h1.phase2" route_removed dst='192\.0\.2\.2(/32)?' &&
  fail "h1 removed its route to 192.0.2.2 instead of replacing it in place"
step "h1: $(first_event "$DIR/h1.phase2" route_replaced dst='192\.0\.2\.2(/32)?')"

n1=$(wc -l <"$L1")
lab_restore h2 b || fail "lab_restore h2 b"
step "h2's LAN B restored"
expect 20 stage_a "LAN B back: via LAN B (eth1) again"
flow_runs "via LAN B again"
tail -n +"$((n1 + 1))" "$L1" >"$DIR/h1.phase3"
lab_log_has "$DIR/h1.phase3" route_replaced dst='192\.0\.2\.2(/32)?' ||
  fail "h1 did not move its route to 192.0.2.2 back in place (no route_replaced)"

lab_restore h2 a || fail "lab_restore h2 a"
step "h2's LAN A restored"
expect 20 stage_none "LAN A back: no faild route"
flow_runs "on LAN A"

lab_stop "$CPID" INT 10
lab_stop "$SPID" TERM 5
stop_all() {
  stop_daemons
  stage_none || { show_routes; fail "faild routes left after both daemons stopped"; }
}
stop_all
step "both daemons stopped, no faild route"

# --- the order of -i decides, not the ifindex order ---------------------------
mv "$L1" "$DIR/h1-1.log"
mv "$L2" "$DIR/h2-1.log"
start_faild h1 -i eth0,eth2,eth1
start_faild h2 -i eth0,eth2,eth1
step "faild -i eth0,eth2,eth1 started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
wait_paths_up
lab_fault h2 a silent || fail "lab_fault h2 a"
step "silent cut of h2's LAN A"
stage_a_pref() {
  routes_exactly h1 '192.0.2.2 via 203.0.113.2 dev eth2 src 192.0.2.1' &&
    routes_exactly h2 '192.0.2.1 via 203.0.113.1 dev eth2 src 192.0.2.2'
}
expect 10 stage_a_pref "LAN A dead, -i eth0,eth2,eth1: via LAN C (eth2)"
lab_restore h2 a || fail "lab_restore h2 a"
expect 20 stage_none "LAN A back: no faild route"
stop_all
PASSED=1
step "PASS"
exit 0
