#!/usr/bin/env bash
# Several faild instances on one host (issue 20, item 3; 2-host lab, IPv4,
# three LANs; every faild -r -t 0.1 -f 3 -s 3).
#
#   A  (h1, h2): main table, tag 250, port 7793, eth0 and eth1; h2's LAN A
#      is cut, so A in h1 routes 192.0.2.2 via LAN B (main, proto 250)
#   A2 (h1): a second instance with another port and control socket, same
#      table and tag, same interfaces: refuses to start (status 1), naming
#      A's pid and control socket; A's route is never missing meanwhile
#      (c30038b removed it as stale)
#   B  (h1, h2): table 100, port 7794, eth0 and eth1, with keys: routes
#      192.0.2.2 in table 100 (B starts with LAN A already cut, so without
#      keys it could not prove that address: PROTOCOL.md, "Trust"); A's
#      route stays
#   C  (h1): main table, tag 251, eth2 only: runs beside A
#   D  (h1): table 100, eth1: refuses (B has eth1 in table 100), naming B
#   B stops: its table-100 route goes, A's stays; the repair of LAN A ends
#   A's failover.
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=rin$$ LAB_FAMILY=v4 LAB_LANS=3
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-instances "$FAILD"
NETNS_LANS=(eth0 eth1)  # A's LANs (eth2 is C's)

declare -A P
spawn() {  # NAME HOST ARG...: faild -r -t 0.1 -f 3 -s 3 ARG..., log $DIR/NAME.log, pid in P[NAME]
  local name=$1 host=$2
  shift 2
  lab_spawn "$host" "$DIR/$name.out" "$FAILD" -r -t 0.1 -f 3 -s 3 --node-id "$host" -l "$DIR/$name.log" "$@" ||
    fail "cannot start $name in $host"
  P[$name]=$LAB_PID
}
exited() { _lab_dead "${P[$1]}"; }
status_of() { wait "${P[$1]}"; }  # the exit status of an ended instance (a child of ours)
table100() { lab_exec h1 ip -4 route show table 100 proto 250; }
b_routed() { grep -qE "$H1_ROUTE" <<<"$(table100)"; }
a_kept() { routes_are h1 "$H1_ROUTE"; }
# A's route must never go while another instance starts: the kernel's own
# account (ip monitor) of h1's IPv4 routes, from before it starts, for a
# window of SECONDS (longer than an instance's adoption, (f + 2) x 0.1 s).
watch_on() {  # NAME: start watching
  lab_spawn h1 "$DIR/monitor.$1" ip -4 monitor route || fail "ip monitor route in h1"
  MON=$LAB_PID
  # shellcheck disable=SC2016  # expanded by eval
  lab_wait 5 eval '[[ $(find /proc/$MON/fd -lname "socket:*" 2>/dev/null | wc -l) -gt 0 ]]' ||
    fail "ip monitor did not open its socket"
}
watch_check() {  # NAME SECONDS WHO
  sleep "$2"  # the window watched, not a wait for a condition
  lab_stop "$MON" TERM 5
  if grep -E '^Deleted 192\.0\.2\.2 ' "$DIR/monitor.$1" | grep -qv ' table '; then
    fail "A's route in h1 was deleted while $3 started: $(grep -E '^Deleted ' "$DIR/monitor.$1" | head -3)"
  fi
  a_kept || { show_routes; fail "A's route in h1 is missing after $3 started"; }
}

step "lab $LAB: 2 hosts, IPv4, three LANs"
lab_up 2 || fail "lab_up"
start_faild h1 -i eth0,eth1
start_faild h2 -i eth0,eth1
wait_paths_up
lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 a_kept || { show_routes; fail "A did not fail over"; }
step "A failed over: $(lab_routes h1)"

# --- A2: same table, same tag, same interfaces: refused ----------------------
watch_on a2
spawn a2 h1 -i eth0,eth1 --port 7797 --control-socket "$DIR/a2.sock"
watch_check a2 2 "A2 (same table and tag, other port and control socket)"
lab_wait 5 exited a2 || { cat "$DIR/a2.log"; fail "A2 runs beside A on the same interfaces in the same table"; }
status_of a2
rc=$?
step "A2 refused (status $rc): $(cat "$DIR/a2.out")"
((rc == 1)) || fail "A2 exited with status $rc (want 1)"
grep -qF "another faild (pid ${DPID[h1]}, control socket " "$DIR/a2.out" ||
  fail "A2's message does not name A (pid ${DPID[h1]}): $(cat "$DIR/a2.out")"
grep -qF "monitors eth0" "$DIR/a2.out" || fail "A2's message does not name the interface: $(cat "$DIR/a2.out")"

# --- B: table 100 -------------------------------------------------------------
watch_on b
( umask 077; printf '%s\n' 5e0d3c2b1a09f8e7d6c5b4a3928170615e0d3c2b1a09f8e7d6c5b4a392817061 >"$DIR/b.key" )
spawn b1 h1 -i eth0,eth1 --port 7794 --control-socket "$DIR/b1.sock" --table 100 -k "$DIR/b.key"
spawn b2 h2 -i eth0,eth1 --port 7794 --control-socket "$DIR/b2.sock" --table 100 -k "$DIR/b.key"
watch_check b 2 "B (table 100)"
lab_wait 15 b_routed || { table100; fail "B did not route 192.0.2.2 in table 100"; }
a_kept || { show_routes; fail "A's route went when B routed"; }
step "B routes in table 100: $(table100)"

# --- C: main table, tag 251, eth2 only ------------------------------------------
watch_on c
spawn c h1 -i eth2 --port 7795 --control-socket "$DIR/c.sock" --route-protocol 251
lab_wait 5 grep -q 'event=start ' "$DIR/c.log" || fail "C did not start: $(cat "$DIR/c.out")"
watch_check c 1 "C (tag 251, eth2)"
exited c && fail "C (tag 251 on eth2 only) exited: $(cat "$DIR/c.out")"
lab_log_has "$DIR/c.log" start table=main route_protocol=251 || fail "C's start line does not say table=main route_protocol=251"
step "C runs beside A: $(first_event "$DIR/c.log" start | grep -oE 'table=[^ ]+ route_protocol=[0-9]+')"

# --- D: table 100, eth1: B's ---------------------------------------------------
spawn d h1 -i eth1 --port 7796 --control-socket "$DIR/d.sock" --table 100
lab_wait 5 exited d || fail "D runs beside B on eth1 in table 100"
status_of d
rc=$?
((rc == 1)) || fail "D exited with status $rc (want 1)"
grep -qF "control socket $DIR/b1.sock) monitors eth1 with routes in table 100" "$DIR/d.out" ||
  fail "D's message does not name B: $(cat "$DIR/d.out")"
step "D refused: $(cat "$DIR/d.out")"

# --- B and C stop -------------------------------------------------------------------
for i in b1 b2 c; do
  lab_stop "${P[$i]}" TERM 15 || fail "$i did not exit 0 on SIGTERM"
done
[[ -z $(table100) ]] || fail "B left routes in table 100: $(table100)"
a_kept || { show_routes; fail "A's route went when B stopped"; }
step "B and C stopped: table 100 empty, A's route kept"

lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || { show_routes; fail "A's routes not removed after the repair"; }
step "A switched back"
netns_pass
