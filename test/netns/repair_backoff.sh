#!/usr/bin/env bash
# Repair back-off per route (issue 20, item 6): one faild route in conflict
# with a foreign route must not slow the put-back of an unrelated one
# (dual-stack lab of two hosts, faild -r -t 0.1 -f 3 -s 3).
#
#   1. a silent cut of h2's LAN A: h1 routes 192.0.2.2 and 2001:db8:a::2
#      via LAN B
#   2. in h1, `ip -6 route replace ... proto static` takes faild's IPv6
#      route's place (the kernel's key has no protocol): faild's repair
#      cannot put its own back ("route exists (not faild's)") and backs off
#   3. once h1 has logged 6 route_failed for it (the whole table's back-off
#      of c30038b has then grown to 6.4 s), right after the 6th, h1's IPv4
#      route is deleted: it must be back within 1.5 s (the next repair
#      round, 0.1 s), while the foreign IPv6 route is never touched
#   4. the refused route is tried again at a slowing pace, never more than
#      a few times; the repair puts nothing else in the way
#
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=rbo$$ LAB_FAMILY=dual LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-backoff "$FAILD"

V4='^192\.0\.2\.2 via 198\.51\.100\.2 dev eth1( .*)? src 192\.0\.2\.1( |$)'
V6='^2001:db8:a::2 via fe80::[0-9a-f:]+ dev eth1( .*)? src 2001:db8:a::1( |$)'
h1_has() { lab_routes h1 | grep -qE -- "$1"; }
h1_both() { h1_has "$V4" && h1_has "$V6"; }
failed_v6() { lab_log_count "$L1" route_failed 'dst=2001:db8:a::2(/128)?'; }
failed_at_least() { (($(failed_v6) >= $1)); }

step "lab $LAB: 2 hosts, IPv4 and IPv6"
lab_up 2 || fail "lab_up"
start_faild h1
start_faild h2
wait_paths_up
step "all paths up"

lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 h1_both || { show_routes; fail "h1 did not route both of h2's LAN A addresses via LAN B"; }
step "failed over:"
show_routes

# --- a foreign route takes the IPv6 destination ------------------------------
via6=$(lab_routes h1 | sed -nE 's/^2001:db8:a::2 via ([^ ]+) .*/\1/p')
[[ -n $via6 ]] || fail "no next hop in h1's IPv6 route"
lab_exec h1 ip -6 route replace 2001:db8:a::2/128 via "$via6" dev eth1 proto static ||
  fail "ip -6 route replace ... proto static in h1"
step "h1: 2001:db8:a::2 now belongs to proto static"
lab_wait 60 failed_at_least 6 || fail "h1 logged $(failed_v6) route_failed for 2001:db8:a::2 within 60 s (want 6)"
# Right after the 6th refusal: on c30038b the next repair of the whole
# table is 6.4 s away now.
lab_exec h1 ip route del 192.0.2.2/32 proto 250 || fail "ip route del 192.0.2.2/32 proto 250 in h1"
t0=$(_lab_us)
step "after $(failed_v6) refusals of 2001:db8:a::2: h1's IPv4 route deleted"
lab_wait 1.5 h1_has "$V4" || { show_routes; fail "h1's IPv4 route was not put back within 1.5 s"; }
step "h1's IPv4 route back after $((($(_lab_us) - t0) / 1000)) ms"
lab_wait 2 lab_log_has "$L1" route_restored 'dst=192\.0\.2\.2(/32)?' via=198.51.100.2 dev=eth1 src=192.0.2.1 ||
  fail "h1 logged no route_restored for 192.0.2.2"
lab_exec h1 ip -6 route show 2001:db8:a::2/128 proto static | grep -q . ||
  fail "faild removed or replaced the foreign IPv6 route"
daemons_alive || fail "a daemon exited"

# --- the refused route is tried at a slowing pace ----------------------------
n0=$(failed_v6) t1=$(_lab_us)
sleep 5  # a measurement window for counting the tries, not a wait for a condition
n1=$(failed_v6)
step "route_failed for 2001:db8:a::2: $n0 until the deletion, $((n1 - n0)) in the 5 s after $(((t1 - t0) / 1000)) ms later"
((n1 - n0 <= 1)) || fail "the refused route was tried $((n1 - n0)) times in 5 s (its back-off is 6.4 s or more by now)"

# --- clean up: the foreign route goes, the repair of LAN A ends the failover --
lab_exec h1 ip -6 route del 2001:db8:a::2/128 proto static || fail "removing the foreign IPv6 route"
lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || { show_routes; fail "faild routes left 20 s after the restore"; }
step "switched back"
netns_pass
