#!/usr/bin/env bash
# The notify hook runner (issue 20, item 4), on the real binary (2-host
# lab, IPv4, faild -r -t 0.1 -f 3 -s 3 -x HOOK in h1):
#   1. a hook that leaves a `setsid` child holding its output pipe, and
#      writes bytes that are not UTF-8: its slot frees, and hook_done is
#      logged, when the hook itself exits (within 3 s, while the child lives
#      on for 30 s); the output is escaped in the log (\xNN), never raw;
#      more than 8 hook calls in that time (two failover/switchback cycles)
#      all run, none is dropped;
#   2. a hook that writes without end (`yes`): faild's CPU time over a 2 s
#      window while two of them write stays small (reads are bounded), and
#      the hook is killed at its timeout and logged.
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=rhk$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-hooks "$FAILD"

kill_children() {  # the setsid children the first hook left (their pids, recorded)
  local pid
  [[ -f $DIR/setsid.pids ]] || return 0
  while read -r pid; do
    [[ $pid =~ ^[0-9]+$ ]] && _lab_alive "$pid" && _lab_in_lab "$pid" && kill "$pid" 2>/dev/null
  done <"$DIR/setsid.pids"
  return 0
}
trap 'kill_children; netns_cleanup' EXIT

cat >"$DIR/hook-setsid" <<HOOK
#!/bin/sh
echo "\$*" >>"$DIR/calls"
# Latin-1 e-acute, 0xff and an escape: not UTF-8, not printable.
printf 'caf\\351 \\377 \\033[31m done\\n'
# A child in a session of its own that keeps stdout (faild's pipe) open.
setsid sleep 30 &
echo \$! >>"$DIR/setsid.pids"
exit 0
HOOK
cat >"$DIR/hook-yes" <<HOOK
#!/bin/sh
echo "\$*" >>"$DIR/calls-yes"
exec yes 'output without end'
HOOK
chmod +x "$DIR/hook-setsid" "$DIR/hook-yes"

done_for() { grep -qE "event=hook_done .*call=\"$1\" exit=0( |$)" "$L1"; }  # (a quoted value: not for lab_log_has)
ncalls() { grep -c . "$DIR/calls" 2>/dev/null || echo 0; }
calls_at_least() { (($(ncalls) >= $1)); }
all_done() { (($(lab_log_count "$L1" hook_done) >= $(ncalls))); }

step "lab $LAB: 2 hosts, IPv4"
lab_up 2 || fail "lab_up"

# --- 1. setsid child, bytes that are not UTF-8 ---------------------------------
start_faild h1 -x "$DIR/hook-setsid" --notify-timeout 20
start_faild h2
wait_paths_up
lab_wait 3 done_for 'path_up h2 eth0 v4' ||
  fail "no hook_done for 'path_up h2 eth0 v4' within 3 s: the setsid child holds the slot"
step "path_up hooks done while their setsid children live on: $(first_event "$L1" hook_done)"
grep -qF 'output="caf\\xe9 \\xff \\x1b[31m done"' "$L1" ||
  fail "hook output not escaped as caf\\xe9 \\xff \\x1b[31m done: $(lab_log_lines "$L1" hook_done | head -1)"
LC_ALL=C grep -q $'[\x80-\xff\x1b]' "$L1" && fail "raw bytes of the hook's output in the log"
step "output escaped, no raw byte in the log"

# Two cycles of failover and switchback: 8 more calls, while every earlier
# hook's setsid child still holds its pipe (30 s).
for cycle in 1 2; do
  lab_fault h2 a silent || fail "lab_fault"
  lab_wait 10 routes_are h1 "$H1_ROUTE" || { show_routes; fail "no failover (cycle $cycle)"; }
  lab_restore h2 a || fail "lab_restore"
  lab_wait 20 routes_empty h1 || { show_routes; fail "no switchback (cycle $cycle)"; }
done
lab_wait 10 calls_at_least 10 || fail "only $(ncalls) hook calls after two cycles (want 10): $(cat "$DIR/calls")"
lab_wait 5 all_done || fail "$(lab_log_count "$L1" hook_done) hook_done for $(ncalls) calls"
step "$(ncalls) hook calls, $(lab_log_count "$L1" hook_done) hook_done, $(lab_log_count "$L1" hook_dropped) hook_dropped"
lab_log_has "$L1" hook_dropped && fail "hooks were dropped: $(lab_log_lines "$L1" hook_dropped | head -3)"
for want in 'failover h2 eth0 v4' 'switchback h2 eth0 v4' 'path_down h2 eth0 v4'; do
  done_for "$want" || fail "no hook_done for '$want'"
done
alive "$(head -1 "$DIR/setsid.pids")" || fail "the first setsid child is gone already (the test needs it alive)"
stop_faild h1
kill_children

# --- 2. output without end -----------------------------------------------------
L1=$DIR/h1-yes.log
FAILD_LOG=$L1 start_faild h1 -x "$DIR/hook-yes" --notify-timeout 3
pid=${DPID[h1]}
yes_running() { [[ -s $DIR/calls-yes ]]; }
lab_wait 20 yes_running || fail "the yes hook did not start"
c0=$(lab_cpu_ns "$pid") t0=$(_lab_us)
sleep 2  # a CPU measurement window, not a wait for a condition
c1=$(lab_cpu_ns "$pid") t1=$(_lab_us)
cpu_pct=$(((c1 - c0) / ((t1 - t0) * 10)))  # ns over us: x 100 / 1000 -> per cent
step "faild's CPU while $(grep -c . "$DIR/calls-yes") hooks write without end: $(((c1 - c0) / 1000000)) ms over $(((t1 - t0) / 1000)) ms (${cpu_pct} %)"
((cpu_pct < 15)) || fail "faild used ${cpu_pct} % CPU reading hook output (want < 15 %)"
lab_wait 10 lab_log_has "$L1" hook_done signal=9 timeout=3 output_read=stopped ||
  fail "no hook_done for the endless hook killed at its timeout: $(lab_log_lines "$L1" hook_done | head -2)"
step "$(first_event "$L1" hook_done | sed -E 's/output="[^"]*"/output="..."/')"
alive "$pid" || fail "faild exited"
L1=$DIR/h1.log
netns_pass
