#!/usr/bin/env bash
# The echo tool's figures after a mark (IPv4 lab of two hosts, no faild):
# the load part of scripts/bench measures a cut by what follows a mark set
# just before it, so neither an outage nor a stall of the flow before the
# mark may be taken for the cut's, and a stall that loses nothing is no
# outage.
#
#   1. udpecho serve in h2, a 1 ms client in h1 to 192.0.2.2; echoes flow.
#   2. before any mark: h2's LAN-A port goes silent for 500 ms (lab_fault
#      silent, then lab_restore): datagrams are lost.
#   3. mark 1 (SIGUSR1); h2's port goes silent for 40 ms and is restored.
#   4. mark 2; the client is stopped (SIGSTOP) for 200 ms and continued:
#      nothing is lost (it sends nothing meanwhile).
#   5. the report: mark 1's outage_after_ms covers the 40 ms silence
#      (>= 35 ms) and not the 500 ms one before it (< 450 ms), lost_after
#      >= 30; mark 2's max_gap_after_ms covers the stall (>= 190 ms) and is
#      below the whole flow's max_gap_ms (>= 490 ms: the first silence),
#      and its outage_after_ms is 0: a stall that loses nothing is no
#      outage.
#
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
set -u

export LAB=fum$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-udpecho-marks "$UDPECHO"

kv() { lab_kv "$1" "$2"; }
# echoes_after N: the client has had more than N echoes back
echoes_after() { received_at_least "$DIR/flow.stats" "$(($1 + 1))"; }
ms() { awk -v m="$1" 'BEGIN { print m / 1000 }'; }
# silence MS: h2's LAN-A port silent for MS ms (the stimulus, not a wait
# for a condition), then back
silence() {
  lab_fault h2 a silent || fail "lab_fault"
  sleep "$(ms "$1")"
  lab_restore h2 a || fail "lab_restore"
}
# flowing_again: more echoes than before the last stimulus
flowing_again() {
  local n
  n=$(received "$DIR/flow.stats")
  lab_wait 10 echoes_after "$((n + 100))" || fail "no echoes after: $*"
}

step "lab $LAB: 2 hosts, IPv4"
lab_up 2 || fail "lab_up"
start_server
start_client flow 192.0.2.2
lab_wait 10 received_at_least "$DIR/flow.stats" 200 || fail "the echo flow does not run"

step "before any mark: LAN A silent for 500 ms"
silence 500
flowing_again "the 500 ms silence"

step "mark 1; LAN A silent for 40 ms"
kill -USR1 "$CPID" || fail "SIGUSR1 the client"
flowing_again "mark 1"
silence 40
flowing_again "the 40 ms silence"

step "mark 2; the client stopped for 200 ms (nothing lost)"
kill -USR1 "$CPID" || fail "SIGUSR1 the client"
flowing_again "mark 2"
kill -STOP "$CPID" || fail "SIGSTOP the client"
sleep 0.2
kill -CONT "$CPID" || fail "SIGCONT the client"
flowing_again "the client's stall"
lab_stop "$CPID" INT 10 || fail "the client did not stop"

report=$(grep -m1 '^sent=' "$DIR/flow.out") || fail "no report"
mark1=$(grep -m1 '^mark=1 ' "$DIR/flow.out") || fail "no mark 1 line"
mark2=$(grep -m1 '^mark=2 ' "$DIR/flow.out") || fail "no mark 2 line"
step "report: $report"
step "$mark1"
step "$mark2"
gap=$(kv max_gap_ms "$report") outage=$(kv outage_after_ms "$mark1") lost=$(kv lost_after "$mark1")
gap_after=$(kv max_gap_after_ms "$mark2") outage2=$(kv outage_after_ms "$mark2")
[[ -n $gap && -n $gap_after && -n $outage && -n $outage2 && -n $lost ]] ||
  fail "a figure is missing: max_gap_ms=$gap outage_after_ms=$outage,$outage2 lost_after=$lost max_gap_after_ms=$gap_after"
check() { awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }" || fail "$4"; }
check "$gap" '>=' 490 "max_gap_ms $gap: the 500 ms silence is not the flow's longest gap"
check "$outage" '>=' 35 "mark 1: outage_after_ms $outage: not the 40 ms silence after it"
check "$outage" '<' 450 "mark 1: outage_after_ms $outage: the 500 ms silence before it counted"
check "$lost" '>=' 30 "mark 1: lost_after $lost: the 40 ms silence lost fewer than 30"
check "$gap_after" '>=' 190 "mark 2: max_gap_after_ms $gap_after: not the 200 ms stall after it"
check "$gap_after" '<' "$gap" "mark 2: max_gap_after_ms $gap_after: the silence before the mark ($gap ms) counted"
check "$outage2" '==' 0 "mark 2: outage_after_ms $outage2: the stall, which lost nothing, counted as an outage"
lab_stop "$SPID" TERM 5
PASSED=1
step "PASS"
