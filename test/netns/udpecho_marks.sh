#!/usr/bin/env bash
# The echo tool's gap after a mark (IPv4 lab of two hosts, no faild): the
# load part of scripts/bench measures a cut by the gap after a mark set
# just before the cut, so a stall of the flow long before it must not be
# taken for the cut's outage.
#
#   1. udpecho serve in h2, a 1 ms client in h1 to 192.0.2.2; echoes flow.
#   2. the server is stopped (SIGSTOP) for 150 ms, then continued: the
#      flow's longest gap, before any mark.
#   3. echoes flow again; SIGUSR1 sets a mark; the server is stopped for
#      40 ms, then continued.
#   4. the report: max_gap_ms covers the first stall (>= 140 ms);
#      the mark's max_gap_after_ms covers the second only (>= 30 ms and
#      < 120 ms), and lost_after counts no more than the client sent.
#
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
set -u

export LAB=fum$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-udpecho-marks "$UDPECHO"

kv() { sed -n "s/.*[ ^]$1=\([0-9.]*\).*/\1/p" <<<" $2" | head -n1; }
# echoes_after N: the client has had more than N echoes back
echoes_after() { received_at_least "$DIR/flow.stats" "$(($1 + 1))"; }
# stall_server MS: the server stops for MS ms (the stimulus, not a wait
# for a condition), then runs again
stall_server() {
  kill -STOP "$SPID" || fail "SIGSTOP the server"
  sleep "$(awk -v m="$1" 'BEGIN { print m / 1000 }')"
  kill -CONT "$SPID" || fail "SIGCONT the server"
}

step "lab $LAB: 2 hosts, IPv4"
lab_up 2 || fail "lab_up"
start_server
start_client flow 192.0.2.2
lab_wait 10 received_at_least "$DIR/flow.stats" 200 || fail "the echo flow does not run"

step "a 150 ms stall of the server, before any mark"
stall_server 150
n=$(received "$DIR/flow.stats")
lab_wait 10 echoes_after "$((n + 200))" || fail "no echoes after the first stall"

step "a mark, then a 40 ms stall"
kill -USR1 "$CPID" || fail "SIGUSR1 the client"
n=$(received "$DIR/flow.stats")
lab_wait 10 echoes_after "$((n + 50))" || fail "no echoes after the mark"
stall_server 40
n=$(received "$DIR/flow.stats")
lab_wait 10 echoes_after "$((n + 200))" || fail "no echoes after the second stall"
lab_stop "$CPID" INT 10 || fail "the client did not stop"

report=$(grep -m1 '^sent=' "$DIR/flow.out") || fail "no report"
mark=$(grep -m1 '^mark=1 ' "$DIR/flow.out") || fail "no mark line"
step "report: $report"
step "mark: $mark"
gap=$(kv max_gap_ms "$report") after=$(kv max_gap_after_ms "$mark") lost=$(kv lost_after "$mark")
sent=$(kv sent "$report")
[[ -n $gap && -n $after && -n $lost && -n $sent ]] || fail "a figure is missing: gap=$gap after=$after lost=$lost sent=$sent"
awk -v g="$gap" 'BEGIN { exit !(g >= 140) }' || fail "max_gap_ms $gap: the 150 ms stall is not the longest gap"
awk -v a="$after" 'BEGIN { exit !(a >= 30 && a < 120) }' ||
  fail "max_gap_after_ms $after: not the 40 ms stall after the mark (the 150 ms one before it is ${gap} ms)"
((lost <= sent)) || fail "lost_after $lost > sent $sent"
lab_stop "$SPID" TERM 5
PASSED=1
step "PASS"
