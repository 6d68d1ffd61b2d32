#!/usr/bin/env bash
# --dry-run probes and decides as usual but never touches the routing table:
# on a silent cut h1 logs the route change it would make (event=dry_run
# op=add ...) and installs nothing, while h2 (not dry) fails over for real;
# a stale faild route in h1's table is left alone too.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=fdry$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin dry "$FAILD"

lab_up 2 || fail "lab_up"
lab_exec h1 ip route add 203.0.113.99/32 via 198.51.100.2 dev eth1 proto 250 || fail "plant a stale route"
start_faild h1 --dry-run
start_faild h2
lab_wait 20 lab_log_has "$L1" path_up peer=h2 lan=eth0 family=v4 || fail "paths not up"
grep -q 'event=start .*dry_run=yes' "$DIR/h1.log" || fail "the start line does not say dry run"
lab_fault h2 a silent || fail "fault"
lab_wait 10 lab_log_has "$DIR/h1.log" dry_run op=add 'dst=192\.0\.2\.2/32' via=198.51.100.2 dev=eth1 src=192.0.2.1 ||
  fail "h1 did not log the route it would add"
# shellcheck disable=SC2016  # expanded by eval
lab_wait 10 eval '[[ -n $(lab_routes h2) ]]' || fail "h2 (not dry) did not fail over"
# shellcheck disable=SC2015  # (A && B) || fail
[[ $(lab_routes h1) == "203.0.113.99 via 198.51.100.2 dev eth1 "* ]] && [[ $(lab_routes h1 | wc -l) == 1 ]] ||
  fail "h1's table changed in a dry run: $(lab_routes h1)"
lab_stop "${DPID[h1]}" TERM 10 || fail "h1 did not exit 0"
lab_log_has "$DIR/h1.log" dry_run op=remove 'dst=192\.0\.2\.2/32' || fail "no dry-run removal at exit"
[[ $(lab_routes h1 | wc -l) == 1 ]] || fail "h1's stale route was touched by a dry run"
PASSED=1
echo PASS
