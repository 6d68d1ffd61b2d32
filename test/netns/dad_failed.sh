#!/usr/bin/env bash
# Duplicate address detection: faild never uses an IPv6 address whose DAD
# failed, says so once, and keeps working. Dual-stack lab of three hosts
# (scripts/lab, LAB_FAMILY=dual); h3 runs no faild, it only owns addresses.
#
#   1. h3 gets 2001:db8:a::1 first (h1's LAN-A address, taken away from h1
#      for the moment); then h1 gets it back and its copy ends dadfailed
#   2. faild on h1 and h2: h1 logs exactly one
#        level=error ... event=address_dadfailed lan=eth0 addr=2001:db8:a::1
#      h2 logs none; both stay up, and every path on LAN B (both families)
#      and the IPv4 path on LAN A come up
#   3. the address is never used: a silent cut of h1's LAN A makes h2
#      route h1's IPv4 LAN-A address through LAN B, but nothing to
#      2001:db8:a::1 (it is h3's: routing it to h1 would steal h3's
#      traffic), and no route of h1 uses it as source; after the repair
#      the routes go
#   4. an address that fails DAD while faild runs (h3's 2001:db8:b::3 added
#      to h1's eth1) is logged once too, the first one is not logged again,
#      and the paths on LAN B stay up
#
# ctest sets FAILD_BIN, FAILD_SOURCE_DIR. Exit 0 pass, 1 fail (with a dump),
# 77 where namespaces cannot be made (skip).
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=dadt$$ LAB_FAMILY=dual
unset LAB_V6
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-dad "$FAILD"

DUP=2001:db8:a::1      # h1's LAN-A address, owned first by h3
DUP2=2001:db8:b::3     # h3's LAN-B address, added to h1 while faild runs
dad_count() { lab_log_count "$DIR/$1.log" address_dadfailed "${@:2}"; }

state_is() { [[ $(lab_addr_flags "$1" "$2") == "$3" ]]; }

# paths_up_except_a6: every path on LAN B (v4, v6) and the IPv4 path on LAN
# A are up in both logs, or a daemon died (checked after). The IPv6 path on
# LAN A is left out: h1 still has its link-local there, so whether it
# probes on it is the daemon's business.
paths_up_except_a6() {
  local fam
  daemons_alive || return 0
  for fam in v4 v6; do
    lab_log_has "$DIR/h1.log" path_up peer=h2 lan=eth1 "family=$fam" || return 1
    lab_log_has "$DIR/h2.log" path_up peer=h1 lan=eth1 "family=$fam" || return 1
  done
  lab_log_has "$DIR/h1.log" path_up peer=h2 lan=eth0 family=v4 &&
    lab_log_has "$DIR/h2.log" path_up peer=h1 lan=eth0 family=v4
}

# ------------------------------------------------------------- test ---

step "lab $LAB: 3 hosts, dual stack"
lab_up 3 || fail "lab_up"

# --- 1. the duplicate ----------------------------------------------------------
lab_addr_del h1 a "$DUP/64" || fail "cannot remove $DUP from h1"
lab_addr_add h3 a "$DUP/64" || fail "cannot add $DUP to h3"
lab_wait 15 state_is h3 "$DUP" ok || fail "h3's $DUP did not pass DAD (state $(lab_addr_flags h3 "$DUP"))"
lab_addr_add h1 a "$DUP/64" || fail "cannot add $DUP back to h1"
lab_wait 15 state_is h1 "$DUP" dadfailed || fail "h1's $DUP did not end dadfailed (state $(lab_addr_flags h1 "$DUP"))"
state_is h3 "$DUP" ok || fail "h3's $DUP is no longer usable"
step "h3 owns $DUP; h1's copy is dadfailed:"
lab_exec h1 ip -6 -o addr show dev eth0 | sed 's/ *\\.*//; s/^/        h1: /'

# --- 2. faild starts with it -------------------------------------------------
start_faild h1
start_faild h2
step "faild started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
lab_wait 15 lab_log_has "$DIR/h1.log" address_dadfailed ||
  fail "h1's log has no event=address_dadfailed 15 s after start"
lab_wait 30 paths_up_except_a6 ||
  fail "the paths on LAN B (v4 and v6) and IPv4 on LAN A did not come up within 30 s"
daemons_alive || fail "a daemon exited"
step "h1 logged the duplicate; paths on LAN B (v4, v6) and IPv4 on LAN A are up"
# A bounded wait on purpose: it measures that no more lines come (a
# repeated report would come within a few probe rounds, or at the next
# address dump).
sleep 3
daemons_alive || fail "a daemon exited within 3 s after the paths came up"
n=$(dad_count h1)
((n == 1)) || fail "h1 logged event=address_dadfailed $n times, expected exactly once"
(($(dad_count h1 level=error lan=eth0 "addr=$DUP") == 1)) ||
  fail "h1's address_dadfailed line is not 'level=error ... lan=eth0 addr=$DUP': $(lab_log_lines "$DIR/h1.log" address_dadfailed)"
n=$(dad_count h2)
((n == 0)) || fail "h2 logged event=address_dadfailed $n times (its addresses are fine)"
step "exactly one line: $(lab_log_lines "$DIR/h1.log" address_dadfailed | sed 's/^time=[^ ]* //')"

# --- 3. never used ------------------------------------------------------------
# Before the cut: does h2 have an IPv6 path to h1 on LAN A (over h1's
# link-local)? If so, wait for it to go down too, so that a route to $DUP
# (which must not come) would have had its chance.
a6=0
lab_log_has "$DIR/h2.log" path_up peer=h1 lan=eth0 family=v6 && a6=1
d4=$(lab_log_count "$DIR/h2.log" path_down peer=h1 lan=eth0 family=v4)
d6=$(lab_log_count "$DIR/h2.log" path_down peer=h1 lan=eth0 family=v6)
lab_fault h1 a silent || fail "lab_fault"
step "silent cut of h1's LAN A ($( ((a6)) && echo "h2 has an IPv6 path to h1 there too" || echo "h2 has no IPv6 path to h1 there"))"
H2_ROUTE='^192\.0\.2\.1 via 198\.51\.100\.1 dev eth1( .*)? src 192\.0\.2\.2( |$)'
H1_ROUTE='^192\.0\.2\.2 via 198\.51\.100\.2 dev eth1( .*)? src 192\.0\.2\.1( |$)'
cut_seen() {
  ((a6 == 0)) || (($(lab_log_count "$DIR/h2.log" path_down peer=h1 lan=eth0 family=v6) > d6)) || return 1
  (($(lab_log_count "$DIR/h2.log" path_down peer=h1 lan=eth0 family=v4) > d4)) &&
    lab_routes_fam h2 v4 | grep -qE -- "$H2_ROUTE" &&
    lab_routes_fam h1 v4 | grep -qE -- "$H1_ROUTE"
}
lab_wait 10 cut_seen || { show_routes; fail "no IPv4 failover routes (or path_down) 10 s after the cut of h1's LAN A"; }
show_routes
r2=$(lab_routes h2)
[[ $(grep -c . <<<"$r2") -eq 1 ]] ||
  fail "h2 must route only 192.0.2.1 (h1 has no usable IPv6 address on LAN A), it has: $r2"
grep -qE -- "(^|[ ])${DUP}( |/|$)" <<<"$(lab_routes h1)" &&
  fail "h1 has a faild route that uses the dadfailed $DUP"
for h in h1 h2; do
  lab_log_has "$DIR/$h.log" route_added "dst=$DUP(/128)?" && fail "$h's log shows a route to $DUP"
  lab_log_has "$DIR/$h.log" route_added "src=$DUP" && fail "$h's log shows a route from $DUP"
done
step "h2 routes only h1's IPv4 LAN-A address; nothing to or from $DUP"
lab_restore h1 a || fail "lab_restore"
lab_wait 20 both_empty ||
  { show_routes; fail "faild routes not removed within 20 s of the repair"; }
step "h1's LAN A restored; the routes are gone"

# --- 4. a duplicate while faild runs ------------------------------------------
e0=$(lab_log_count "$DIR/h1.log" path_down lan=eth1)
e2=$(lab_log_count "$DIR/h2.log" path_down lan=eth1)
lab_addr_add h1 b "$DUP2/64" || fail "cannot add $DUP2 to h1"
lab_wait 15 state_is h1 "$DUP2" dadfailed || fail "h1's $DUP2 did not end dadfailed (state $(lab_addr_flags h1 "$DUP2"))"
step "h1 got h3's $DUP2 on eth1 while faild runs: dadfailed"
lab_wait 15 lab_log_has "$DIR/h1.log" address_dadfailed lan=eth1 "addr=$DUP2" ||
  fail "h1's log has no address_dadfailed lan=eth1 addr=$DUP2 15 s after its DAD failed"
# Bounded on purpose again: measuring that no repeat comes.
sleep 3
daemons_alive || fail "a daemon exited after the second duplicate"
n=$(dad_count h1 lan=eth1 "addr=$DUP2")
((n == 1)) || fail "h1 logged the dadfailed $DUP2 $n times, expected once"
n=$(dad_count h1 "addr=$DUP")
((n == 1)) || fail "h1 logged the dadfailed $DUP $n times by now (an address change must not re-report it)"
(($(lab_log_count "$DIR/h1.log" path_down lan=eth1) == e0 && $(lab_log_count "$DIR/h2.log" path_down lan=eth1) == e2)) ||
  fail "a path on LAN B went down after the second duplicate"
both_empty || { show_routes; fail "faild routes with all paths up"; }
step "logged once; the LAN B paths stayed up"

stop_daemons
both_empty || { show_routes; fail "faild routes left at the end"; }

PASSED=1
step "PASS"
exit 0
