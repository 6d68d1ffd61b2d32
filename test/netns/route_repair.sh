#!/usr/bin/env bash
# Periodic repair: faild reads its routes back every interval and puts back
# what someone else removed (IPv4 lab of two hosts, faild -r -t 0.1 -f 3 -s 3).
#
#   1. a silent cut of h2's LAN A: both hosts install their failover route
#   2. `ip route flush proto 250` in h1: the route is back (same dst, via,
#      dev, src) within a generous deadline, and h1 logs route_restored with
#      those values
#   3. the same for one route deleted by hand in h2 (`ip route del`)
#   4. a route of someone else's (not proto 250) is left alone: after the
#      restore, faild removes only its own routes
#
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=frr$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-repair "$FAILD"

# settle: wait (at most ~10 s) until neither log has grown for a whole
# second. The repair is asserted on a quiet daemon: any path change makes
# faild reconcile at once, and that reconcile, not the periodic repair,
# would then put the route back.
log_sizes() { cat "$L1" "$L2" 2>/dev/null | wc -c; }
settle() {
  local i s0 s1
  for ((i = 0; i < 10; i++)); do
    s0=$(log_sizes)
    sleep 1
    s1=$(log_sizes)
    [[ $s0 == "$s1" ]] && return 0
  done
  return 1
}

# ------------------------------------------------------------- test ---

step "lab $LAB: 2 hosts, IPv4"
lab_up 2 || fail "lab_up"
start_faild h1
start_faild h2
wait_paths_up
step "all paths up"

lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 both_failed_over || { show_routes; fail "no failover routes after a silent cut of h2's LAN A"; }
step "failed over:"
show_routes
settle || step "(the logs kept growing for 10 s; going on)"

# --- flush in h1 -------------------------------------------------------------
# No check that the routes are gone in between: the repair runs every
# interval (0.1 s) and may well be quicker than the next command. The
# route_restored line is the evidence.
lab_exec h1 ip route flush proto 250 || fail "ip route flush proto 250 in h1"
step "ip route flush proto 250 in h1"
lab_wait 15 routes_are h1 "$H1_ROUTE" || { show_routes; fail "h1's route was not put back within 15 s"; }
step "h1's route is back: $(lab_routes h1)"
lab_wait 5 lab_log_has "$L1" route_restored dst='192\.0\.2\.2(/32)?' via=198.51.100.2 dev=eth1 src=192.0.2.1 ||
  fail "h1 logged no route_restored dst=192.0.2.2 via=198.51.100.2 dev=eth1 src=192.0.2.1"
step "h1: $(first_event "$L1" route_restored)"

# --- one route deleted by hand in h2 ----------------------------------------
settle || step "(the logs kept growing for 10 s; going on)"
lab_exec h2 ip route del 192.0.2.1/32 proto 250 || fail "ip route del in h2"
step "ip route del 192.0.2.1/32 proto 250 in h2"
lab_wait 15 routes_are h2 "$H2_ROUTE" || { show_routes; fail "h2's route was not put back within 15 s"; }
lab_wait 5 lab_log_has "$L2" route_restored dst='192\.0\.2\.1(/32)?' via=198.51.100.1 dev=eth1 src=192.0.2.2 ||
  fail "h2 logged no route_restored dst=192.0.2.1 via=198.51.100.1 dev=eth1 src=192.0.2.2"
step "h2's route is back: $(lab_routes h2)"

# --- someone else's route is never touched ----------------------------------
lab_exec h1 ip route add 192.0.2.77/32 via 198.51.100.2 dev eth1 proto static ||
  fail "adding a static route in h1"
sleep 0.5  # a few repair rounds
lab_exec h1 ip route show 192.0.2.77/32 proto static | grep -q . ||
  fail "faild removed a route that is not its own (proto static)"
daemons_alive || fail "a daemon exited"

lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || { show_routes; fail "faild routes left 20 s after the restore"; }
lab_exec h1 ip route show 192.0.2.77/32 proto static | grep -q . ||
  fail "faild removed a route that is not its own (proto static) at switchback"
step "switched back; the static route is still there"
n=$(grep -c 'event=route_restored' "$L1" "$L2" | awk -F: '{ s += $2 } END { print s }')
step "route_restored lines in both logs: $n"

stop_daemons
both_empty || { show_routes; fail "faild routes left at the end"; }
PASSED=1
step "PASS"
exit 0
