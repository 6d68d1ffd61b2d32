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

SRC=${FAILD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FAILD=${FAILD_BIN:-$SRC/build/faild}
UDPECHO=${UDPECHO_BIN:-$SRC/build/udpecho}
export LAB=f3l$$ LAB_FAMILY=v4 LAB_LANS=3
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lab
source "$SRC/scripts/lab" || exit 1

lab_check
case $? in 0) ;; 77) exit 77 ;; *) exit 1 ;; esac
for bin in "$FAILD" "$UDPECHO"; do
  [[ -x $bin ]] || { echo "FAIL: no executable $bin" >&2; exit 1; }
done

DIR=$(mktemp -d /tmp/faild-netns-3lans.XXXXXX) || exit 1
PASSED=0
T_START=$(_lab_us)
CPID='' SPID=''
declare -A DPID
L1=$DIR/h1.log L2=$DIR/h2.log

cleanup() {
  trap - EXIT INT TERM
  lab_down
  if ((PASSED)); then rm -rf "$DIR"; else echo "logs kept in $DIR" >&2; fi
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

step() { printf '[%7.3f] %s\n' "$(awk -v n="$(_lab_us)" -v s="$T_START" 'BEGIN { print (n - s) / 1e6 }')" "$*"; }

fail() {
  echo "FAIL: $*" >&2
  {
    lab_dump
    local f
    for f in "$DIR"/*; do
      [[ -f $f ]] || continue
      echo "===== $f"
      tail -n 200 "$f"
    done
  } >&2
  exit 1
}

alive() { _lab_alive "$1"; }
daemons_alive() { alive "${DPID[h1]}" && alive "${DPID[h2]}"; }

start_faild() {  # HOST [IFLIST]
  lab_spawn "$1" "$DIR/$1.out" "$FAILD" -r -t 0.1 -f 3 -s 3 -i "${2:-eth0,eth1,eth2}" --node-id "$1" \
    -l "$DIR/$1.log" || fail "cannot start faild in $1"
  DPID[$1]=$LAB_PID
}

paths_up() {  # all six v4 paths up (or a daemon died: checked after)
  local lan
  daemons_alive || return 0
  for lan in eth0 eth1 eth2; do
    lab_log_has "$L1" path_up peer=h2 lan="$lan" family=v4 || return 1
    lab_log_has "$L2" path_up peer=h1 lan="$lan" family=v4 || return 1
  done
}

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
show_routes() {
  local h
  for h in h1 h2; do lab_routes "$h" | sed "s/^/        $h: /"; done
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

received() { sed -n 's/.* received=\([0-9]*\).*/\1/p' "$DIR/client.stats" 2>/dev/null; }
received_at_least() { local r; r=$(received); [[ -n $r ]] && ((r >= $1)); }
flow_runs() {  # WHAT: the echo flow gets replies now
  local r0
  r0=$(received)
  lab_wait 10 received_at_least $((r0 + 300)) || fail "no echo replies $1 (received stays near $r0)"
  step "echo flow gets replies $1 (received $r0 -> $(received))"
}

# ------------------------------------------------------------- test ---

step "lab $LAB: 2 hosts on three LANs, IPv4"
lab_up 2 || fail "lab_up"
start_faild h1
start_faild h2
step "faild -i eth0,eth1,eth2 started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
lab_wait 30 paths_up || fail "paths did not come up within 30 s"
daemons_alive || fail "a daemon exited"
stage_none || { show_routes; fail "faild routes while all paths are up"; }
step "all six paths up, no faild routes"

lab_spawn h2 "$DIR/server.out" "$UDPECHO" serve || fail "udpecho serve"
SPID=$LAB_PID
lab_wait 10 grep -q listening "$DIR/server.out" || fail "udpecho serve did not start"
lab_spawn h1 "$DIR/client.out" "$UDPECHO" client --to 192.0.2.2 --interval-ms 1 \
  --duration 240 --stats "$DIR/client.stats" || fail "udpecho client"
CPID=$LAB_PID
lab_wait 10 received_at_least 200 || fail "the echo flow h1 -> 192.0.2.2 does not run"
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
step "h1: $(lab_log_lines "$DIR/h1.phase2" route_replaced dst='192\.0\.2\.2(/32)?' | head -n1 | sed 's/^.*event=/event=/')"

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
stop_daemons() {
  local h rc
  for h in h1 h2; do
    lab_stop "${DPID[$h]}" TERM 15
    rc=$?
    ((rc == 0)) || fail "$h's faild exited with status $rc on SIGTERM"
  done
  stage_none || { show_routes; fail "faild routes left after both daemons stopped"; }
}
stop_daemons
step "both daemons stopped, no faild route"

# --- the order of -i decides, not the ifindex order ---------------------------
mv "$L1" "$DIR/h1-1.log"
mv "$L2" "$DIR/h2-1.log"
start_faild h1 eth0,eth2,eth1
start_faild h2 eth0,eth2,eth1
step "faild -i eth0,eth2,eth1 started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
lab_wait 30 paths_up || fail "paths did not come up within 30 s"
daemons_alive || fail "a daemon exited"
lab_fault h2 a silent || fail "lab_fault h2 a"
step "silent cut of h2's LAN A"
stage_a_pref() {
  routes_exactly h1 '192.0.2.2 via 203.0.113.2 dev eth2 src 192.0.2.1' &&
    routes_exactly h2 '192.0.2.1 via 203.0.113.1 dev eth2 src 192.0.2.2'
}
expect 10 stage_a_pref "LAN A dead, -i eth0,eth2,eth1: via LAN C (eth2)"
lab_restore h2 a || fail "lab_restore h2 a"
expect 20 stage_none "LAN A back: no faild route"
stop_daemons
PASSED=1
step "PASS"
exit 0
