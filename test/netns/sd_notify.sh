#!/usr/bin/env bash
# faild speaks systemd's notify protocol to a real listener on
# NOTIFY_SOCKET (test/tools/dgram_listen.py), without systemd:
# - READY=1 exactly once, with a STATUS= line, once the LANs are open and
#   the first reconcile is done (the control socket answers by then);
# - STATUS= follows the peers and paths ("1 peer(s), 2/2 paths up");
# - WATCHDOG=1 from the probe loop, at least every quarter of WATCHDOG_USEC;
#   a stalled loop (SIGSTOP) sends none, so systemd's WatchdogSec= would
#   restart it; after SIGCONT the pings resume;
# - STOPPING=1 at SIGTERM;
# - WATCHDOG_PID naming another process: no WATCHDOG=1; a path socket works
#   as well as an abstract one; the notify program does not inherit
#   NOTIFY_SOCKET.
# Without NOTIFY_SOCKET nothing is sent: every other namespace test runs
# faild so.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=fsdn$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin sd-notify "$FAILD" "$FAILDCTL"
command -v python3 >/dev/null || fail "python3 is missing (scripts/setup installs it)"
LISTEN=$SRC/test/tools/dgram_listen.py
: >"$DIR/empty.conf"
GOT=$DIR/notify.got

lab_up 2 || fail "lab_up"
# An abstract name lives in a network namespace: the listener runs in h1.
SOCK=@faild-test-$LAB
lab_spawn h1 "$DIR/listener.out" python3 "$LISTEN" "$SOCK" "$GOT" 200 || fail "listener"
LPID=$LAB_PID
lab_wait 10 test -s "$GOT.ready" || fail "the listener did not bind"

# The notify program writes its environment's NOTIFY_SOCKET (if any).
printf '#!/bin/sh\necho "NOTIFY_SOCKET=${NOTIFY_SOCKET:-unset}" >>%s\n' "$DIR/hook.env" >"$DIR/hook"
chmod 755 "$DIR/hook"
lab_spawn h1 "$DIR/h1.out" env NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=1000000 \
  "$FAILD" -r -t 0.1 -f 3 -s 3 --node-id h1 -c "$DIR/empty.conf" -l "$L1" -x "$DIR/hook" \
  --control-socket "$DIR/h1.control" || fail "start h1"
DPID[h1]=$LAB_PID

count() { grep -c -- "$1" "$GOT" 2>/dev/null || true; }
has() { grep -qE -- "$1" "$GOT" 2>/dev/null; }
lab_wait 10 has '^READY=1[|]STATUS=requestor on eth0,eth1: no peer heard yet$' ||
  fail "no READY=1 with a STATUS line: $(cat "$GOT")"
"$FAILDCTL" -s "$DIR/h1.control" version >/dev/null 2>&1 || lab_exec h1 "$FAILDCTL" -s "$DIR/h1.control" version ||
  fail "READY=1 came before the control socket answered"
lab_log_has "$L1" lan lan=eth0 && lab_log_has "$L1" lan lan=eth1 || fail "READY=1 before the LANs were open"
step "ready: $(grep -m1 READY "$GOT")"

# Pings: at least 4 a second with WATCHDOG_USEC=1000000.
pings_above() { (($(count '^WATCHDOG=1$') >= $1)); }
n0=$(count '^WATCHDOG=1$')
lab_wait 2 pings_above $((n0 + 4)) ||
  fail "fewer than 4 WATCHDOG=1 in 2 s (WATCHDOG_USEC=1 s): $(count "^WATCHDOG=1$") after $n0"

start_faild h2 -c "$DIR/empty.conf" --control-socket "$DIR/h2.control"
lab_wait 15 has '^STATUS=requestor on eth0,eth1: 1 peer\(s\), 2/2 paths up, 0 failover route\(s\)$' ||
  fail "no STATUS line with h2's paths up: $(grep STATUS "$GOT" | tail -n3)"
step "status: $(grep STATUS "$GOT" | tail -n1)"
lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 has '^STATUS=.*1 peer\(s\), 1/2 paths up, 1 failover route\(s\)$' ||
  fail "STATUS did not follow the failover: $(grep STATUS "$GOT" | tail -n3)"
lab_restore h2 a || fail "lab_restore"
step "status after the cut: $(grep STATUS "$GOT" | grep -m1 '1/2 paths')"

# A stalled loop sends no ping; systemd would restart it after WatchdogSec.
kill -STOP "${DPID[h1]}"
n1=$(count '^WATCHDOG=1$')
sleep 1.5  # a window in which nothing may happen, not a wait for a condition
n2=$(count '^WATCHDOG=1$')
kill -CONT "${DPID[h1]}"
((n2 == n1)) || fail "WATCHDOG=1 was sent while faild was stopped ($n1 -> $n2)"
lab_wait 3 pings_above $((n2 + 1)) || fail "no WATCHDOG=1 after SIGCONT"
step "stalled 1.5 s: no ping; resumed"

# The notify program ran (failover) without NOTIFY_SOCKET.
lab_wait 10 test -s "$DIR/hook.env" || fail "the notify program did not run"
grep -q '^NOTIFY_SOCKET=unset$' "$DIR/hook.env" || fail "the notify program inherited $(head -n1 "$DIR/hook.env")"

stop_faild h1
lab_wait 5 has '^STOPPING=1[|]STATUS=stopped \(SIGTERM\), routes removed$' || fail "no STOPPING=1 at SIGTERM"
[[ $(count '^READY=1') == 1 ]] || fail "READY=1 sent $(count '^READY=1') times"
lab_stop "$LPID" TERM 5

# WATCHDOG_PID for another process; a path socket.
: >"$GOT"
lab_spawn h1 "$DIR/listener2.out" python3 "$LISTEN" "$DIR/notify.sock" "$GOT" 60 || fail "listener (path)"
lab_wait 10 test -S "$DIR/notify.sock" || fail "the path listener did not bind"
lab_spawn h1 "$DIR/h1b.out" env NOTIFY_SOCKET="$DIR/notify.sock" WATCHDOG_USEC=400000 WATCHDOG_PID=1 \
  "$FAILD" -r -t 0.1 --node-id h1 -c "$DIR/empty.conf" -l "$DIR/h1b.log" --control-socket "$DIR/h1.control" ||
  fail "start h1 (path socket)"
DPID[h1]=$LAB_PID
lab_wait 10 has '^READY=1' || fail "no READY=1 on a path socket"
sleep 1  # a window for pings that must not come (WATCHDOG_PID is not faild's)
has '^WATCHDOG=1' && fail "WATCHDOG=1 sent although WATCHDOG_PID names another process"
stop_faild h1
netns_pass
