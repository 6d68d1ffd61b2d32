#!/usr/bin/env bash
# A burst of SIGTERMs (an init script or an operator that sends one, then
# another while faild is still exiting) ends faild cleanly every time: exit
# status 0, its failover route removed. Before the fix, a SIGTERM that came
# after the daemon had given SIGTERM back to its default action (while it
# was tearing down) killed it with status 143.
#
# h1 and h2 run faild; h2's LAN A is cut silently, so h1 holds a failover
# route. Then, TRIALS times: faild in h1 is started, holds the route again,
# and gets SIGTERM after SIGTERM until it has exited.
#
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=fsig$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin stop-signals "$FAILD"

TRIALS=${TRIALS:-20}

# term_burst PID: SIGTERM to PID until it is gone or a zombie (at most
# 20000 signals); then its exit status, as lab_stop gives it.
term_burst() {
  local pid=$1 i state
  # Builtins only (no fork between two signals): state is the third field
  # of /proc/PID/stat (faild's name has no blank).
  for ((i = 0; i < 20000; i++)); do
    kill -TERM "$pid" 2>/dev/null || break
    state=
    read -r _ _ state _ <"/proc/$pid/stat" 2>/dev/null
    [[ -z $state || $state == Z ]] && break
  done
  lab_stop "$pid" TERM 15
}

lab_up 2 || fail "lab_up"
start_faild h1
start_faild h2
wait_paths_up
lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 both_failed_over || { show_routes; fail "no failover routes after the cut of h2's LAN A"; }
step "h1 and h2 failed over; h1's faild gets bursts of SIGTERM"

for ((n = 1; n <= TRIALS; n++)); do
  log=$DIR/h1-$n.log
  if ((n > 1)); then
    FAILD_LOG=$log start_faild h1
    lab_wait 10 routes_are h1 "$H1_ROUTE" || { show_routes; fail "trial $n: h1 does not hold its failover route"; }
  fi
  term_burst "${DPID[h1]}"
  rc=$?
  ((rc == 0)) || fail "trial $n: faild exited with status $rc on a burst of SIGTERM (expected 0)"
  routes_empty h1 || { show_routes; fail "trial $n: h1's failover route is still there after faild exited"; }
done
step "$TRIALS bursts: exit status 0 and no route left each time"

stop_faild h2
PASSED=1
echo "PASS"
