#!/usr/bin/env bash
# Interfaces deleted and re-created while faild runs (IPv4 lab of two hosts;
# h1 runs faild -i eth0,eth1, h2 picks its interfaces by default):
#
#   1. h2's eth0 is deleted (its veth pair, as an unloaded driver would)
#      while LAN A is otherwise fine: h2 logs link_gone lan=eth0 and its
#      path to h1 on eth0 goes down (reason carrier or link-gone); h1 takes
#      its path to h2 on eth0 down. LAN A's prefix, as last seen, still
#      counts on h2: it routes h1's LAN A address via LAN B, src its own
#      address there (192.0.2.2 went with the interface), and traffic from
#      h2 to 192.0.2.1 flows (before: "Network is unreachable"). h1 may keep
#      or drop its route to 192.0.2.2 (h2 no longer advertises it). Both
#      daemons keep running.
#   2. eth0 is re-created (same name, same address, a NEW ifindex): h2 logs
#      link_back lan=eth0 ifindex=<the new index>, the paths on eth0 come up
#      again on both hosts, no faild route.
#   3. while h1 has a faild route via eth1 (h2's LAN A cut silently), h1's
#      eth1 is deleted (the kernel drops the route through it): h1 logs
#      link_gone lan=eth1, no faild route is left anywhere (no live path),
#      nothing crashes. eth1 re-created: link_back lan=eth1, the paths on
#      eth1 come up, and both hosts end with exactly the failover routes the
#      paths call for; after the repair of LAN A, none.
#
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=fir$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-ifre "$FAILD" "$UDPECHO"

check_alive() {  # WHAT
  local h
  for h in h1 h2; do
    alive "${DPID[$h]}" || fail "$h's faild exited $1 (output: $(tail -n 5 "$DIR/$h.out" 2>/dev/null))"
  done
}

# path_is_up LOG PEER LAN: the last event of PEER's v4 path on LAN in LOG
# (path_up, path_down, path_forgotten) is path_up. Log lines begin with
# time=<ISO 8601 UTC>, so sorting them sorts by time.
path_is_up() {
  local log=$1 peer=$2 lan=$3 last
  last=$({ lab_log_lines "$log" path_up peer="$peer" lan="$lan" family=v4
    lab_log_lines "$log" path_down peer="$peer" lan="$lan" family=v4
    lab_log_lines "$log" path_forgotten peer="$peer" lan="$lan" family=v4; } |
    sort | tail -n1)
  [[ $last == *event=path_up* ]]
}
all_up() {  # every v4 path up on both hosts, by their logs
  local lan
  for lan in eth0 eth1; do
    path_is_up "$L1" h2 "$lan" || return 1
    path_is_up "$L2" h1 "$lan" || return 1
  done
}

# ------------------------------------------------------------- test ---

step "lab $LAB: 2 hosts, IPv4"
lab_up 2 || fail "lab_up"
start_faild h1 -i eth0,eth1
start_faild h2
step "faild started: h1 (-i eth0,eth1) pid ${DPID[h1]}, h2 (default interfaces) pid ${DPID[h2]}"
lab_wait 30 all_up || fail "paths did not come up within 30 s"
check_alive "at start"
both_empty || { show_routes; fail "faild routes while all paths are up"; }
step "all paths up, no faild routes"

# --- 1. h2's eth0 deleted -------------------------------------------------------
old=$(lab_ifindex h2 a)
n1=$(nlines "$L1") n2=$(nlines "$L2")
lab_iface_del h2 a || fail "lab_iface_del h2 a"
step "h2's eth0 (ifindex $old) deleted"
lab_wait 5 has_since "$L2" "$n2" link_gone lan=eth0 || fail "h2 logged no link_gone lan=eth0"
lab_wait 5 has_since "$L2" "$n2" path_down peer=h1 lan=eth0 family=v4 reason='carrier|link-gone' ||
  fail "h2 logged no path_down peer=h1 lan=eth0 family=v4 reason=carrier|link-gone"
step "h2: $(first_event_since "$L2" "$n2" link_gone)"
step "h2: $(first_event_since "$L2" "$n2" path_down peer=h1 lan=eth0 family=v4)"
lab_wait 10 has_since "$L1" "$n1" path_down peer=h2 lan=eth0 family=v4 ||
  fail "h1 did not take its path to h2 on eth0 down"
step "h1: $(first_event_since "$L1" "$n1" path_down peer=h2 lan=eth0 family=v4)"
lab_wait 10 routes_are h2 '^192\.0\.2\.1 via 198\.51\.100\.1 dev eth1( .*)? src 198\.51\.100\.2( |$)' ||
  { show_routes; fail "h2 does not route h1's LAN A address via LAN B (src 198.51.100.2) with its eth0 gone"; }
step "h2 routes h1's LAN A address via LAN B:"
show_routes
lab_spawn h1 "$DIR/serve1.out" "$UDPECHO" serve || fail "udpecho serve in h1"
SPID=$LAB_PID
lab_wait 10 grep -q listening "$DIR/serve1.out" || fail "udpecho serve did not start in h1"
lab_spawn h2 "$DIR/gone.out" "$UDPECHO" client --to 192.0.2.1 --interval-ms 1 --duration 240 \
  --stats "$DIR/gone.stats" || fail "udpecho client h2 -> 192.0.2.1"
CPID=$LAB_PID
lab_wait 10 received_at_least "$DIR/gone.stats" 200 ||
  fail "no echo replies from 192.0.2.1 to h2 with h2's eth0 gone (received: $(received "$DIR/gone.stats"))"
step "h2 -> 192.0.2.1 flows via LAN B: $(received "$DIR/gone.stats") replies"
lab_stop "$CPID" INT 10
lab_stop "$SPID" TERM 5
CPID='' SPID=''
check_alive "after h2's eth0 was deleted"

# --- 2. eth0 re-created ------------------------------------------------------
n1=$(nlines "$L1") n2=$(nlines "$L2")
lab_iface_add h2 a || fail "lab_iface_add h2 a"
new=$(lab_ifindex h2 a) || fail "h2 has no eth0 after lab_iface_add"
[[ $new != "$old" ]] || fail "the re-created eth0 has the old ifindex $old"
step "h2's eth0 re-created with ifindex $new (was $old), 192.0.2.2/24"
lab_wait 5 has_since "$L2" "$n2" link_back lan=eth0 ifindex="$new" ||
  fail "h2 logged no link_back lan=eth0 ifindex=$new"
step "h2: $(first_event_since "$L2" "$n2" link_back lan=eth0)"
lab_wait 20 all_up || fail "the paths on eth0 did not come back up within 20 s"
check_alive "after eth0 came back"
both_empty || { show_routes; fail "faild routes with every path up"; }
step "paths on eth0 up again on both hosts, no faild route"

# --- 3. h1's eth1 deleted under a faild route -------------------------------
lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 both_failed_over || { show_routes; fail "no failover after a silent cut of h2's LAN A"; }
step "silent cut of h2's LAN A; failed over:"
show_routes
old=$(lab_ifindex h1 b)
n1=$(nlines "$L1") n2=$(nlines "$L2")
lab_iface_del h1 b || fail "lab_iface_del h1 b"
step "h1's eth1 (ifindex $old) deleted, under its route"
lab_wait 5 has_since "$L1" "$n1" link_gone lan=eth1 || fail "h1 logged no link_gone lan=eth1"
lab_wait 5 has_since "$L1" "$n1" path_down peer=h2 lan=eth1 family=v4 reason='carrier|link-gone' ||
  fail "h1 logged no path_down peer=h2 lan=eth1 family=v4 reason=carrier|link-gone"
step "h1: $(first_event_since "$L1" "$n1" link_gone)"
# No live path between them now: no route anywhere (h1's went with eth1;
# h2 must remove its own once its path on LAN B is down).
lab_wait 10 both_empty || { show_routes; fail "faild routes left with no live path between h1 and h2"; }
sleep 1  # an observation window
check_alive "after h1's eth1 was deleted"
both_empty || { show_routes; fail "faild put a route back with no live path"; }
step "no live path: no faild route on either host; both daemons run"

n1=$(nlines "$L1") n2=$(nlines "$L2")
lab_iface_add h1 b || fail "lab_iface_add h1 b"
new=$(lab_ifindex h1 b) || fail "h1 has no eth1 after lab_iface_add"
step "h1's eth1 re-created with ifindex $new (was $old)"
lab_wait 5 has_since "$L1" "$n1" link_back lan=eth1 ifindex="$new" ||
  fail "h1 logged no link_back lan=eth1 ifindex=$new"
lab_wait 20 has_since "$L1" "$n1" path_up peer=h2 lan=eth1 family=v4 ||
  fail "h1's path to h2 on eth1 did not come back up"
lab_wait 20 both_failed_over || { show_routes; fail "not the failover routes once eth1 is back (LAN A still cut)"; }
step "eth1 back, LAN A still cut: the failover routes again:"
show_routes

lab_restore h2 a || fail "lab_restore"
n1=$(nlines "$L1") n2=$(nlines "$L2")
lab_wait 20 both_empty || { show_routes; fail "faild routes left 20 s after the repair"; }
lab_wait 20 all_up || fail "not every path is up after the repair"
sleep 1  # an observation window: consistent, and stays so
both_empty || { show_routes; fail "faild routes reappeared with every path up"; }
check_alive "at the end"
step "repaired: every path up, no faild route"
n=$(grep -c 'level=error' "$L1" "$L2" | awk -F: '{ s += $2 } END { print s }')
step "level=error lines in the logs: $n"

stop_daemons
both_empty || { show_routes; fail "faild routes left at the end"; }
PASSED=1
step "PASS"
exit 0
