#!/usr/bin/env bash
# Hooks under a flood of forged peers (issue 20, items 4 and 5; 3-host lab,
# IPv4: faild on h1 and h2, both -r -t 0.1 -f 3 -s 3; h3 runs no faild and
# floods h1 with datagrams, many of them valid INQs from random node ids).
# h1 runs a notify hook that takes 2 s per call. The forged peers are heard
# and never proven: each of them goes down from init, a hook call about an
# unproven peer, many a second. Then h2's LAN A is cut:
#   - the real failover's hooks (path_down and failover for h2, a proven
#     peer) run and finish, though the forged peers' calls fill the hook
#     places the whole time; so do the switchback's after the repair;
#   - hook_dropped is logged once per reason in full, then counted (a line
#     a minute at most), not once per dropped call.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=rhp$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || { echo "SKIP: python3 is not installed" >&2; exit 77; }
TOOL=$SRC/test/tools/faild_attacker.py
netns_begin netns-hookprio "$FAILD" "$TOOL"

cat >"$DIR/hook" <<HOOK
#!/bin/sh
echo "\$*" >>"$DIR/calls"
sleep 2
HOOK
chmod +x "$DIR/hook"

called() { grep -qx "$1" "$DIR/calls" 2>/dev/null; }
done_for() { grep -qE "event=hook_done .*call=\"$1\" exit=0( |$)" "$L1"; }  # (a quoted value: not for lab_log_has)
unproven_calls() { grep -vc ' h[12] ' "$DIR/calls" 2>/dev/null || echo 0; }
fstat() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" "$DIR/flood.stats" 2>/dev/null; }
dropped_lines() { lab_log_count "$L1" hook_dropped; }

step "lab $LAB: 3 hosts (h3: attacker, no faild)"
lab_up 3 || fail "lab_up"
start_faild h1 -x "$DIR/hook" --notify-timeout 5
start_faild h2
wait_paths_up
lab_wait 10 done_for 'path_up h2 eth0 v4' || fail "no hook_done for path_up h2 eth0 v4"
step "all paths up, their hooks done"

lab_spawn h3 "$DIR/flood.out" "$PY" "$TOOL" flood --dev eth0 --to 192.0.2.1 --to 192.0.2.255 \
  --rate 2000 --seconds 30 --count 60000 --seed $$ --spare-id h1 --spare-id h2 --stats "$DIR/flood.stats" ||
  fail "start flood"
FPID=$LAB_PID
# The forged peers' calls fill their places, and then some are dropped.
lab_wait 20 lab_log_has "$L1" hook_dropped || fail "no hook call about a forged peer was dropped within 20 s"
step "flood running (sent $(fstat sent)); $(unproven_calls) calls about forged peers so far; $(first_event "$L1" hook_dropped)"

lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 routes_are h1 "$H1_ROUTE" || { show_routes; fail "no failover during the flood"; }
step "h1 failed over during the flood"
for c in 'path_down h2 eth0 v4' 'failover h2 eth0 v4'; do
  lab_wait 10 done_for "$c" || fail "the hook for '$c' did not run within 10 s: $(grep -c . "$DIR/calls") calls, $(dropped_lines) hook_dropped lines"
done
step "path_down and failover hooks for h2 done"
lab_restore h2 a || fail "lab_restore"
lab_wait 20 routes_empty h1 || { show_routes; fail "no switchback during the flood"; }
for c in 'path_up h2 eth0 v4' 'switchback h2 eth0 v4'; do
  lab_wait 10 done_for "$c" || fail "the hook for '$c' did not run within 10 s"
done
step "path_up and switchback hooks for h2 done; flood sent $(fstat sent) so far"
grep -qE 'event=hook_dropped .*call="[a-z_]+ h2 ' "$L1" && fail "a call about h2 was dropped: $(grep -E 'event=hook_dropped .*call="[a-z_]+ h2 ' "$L1" | head -1)"

lab_stop "$FPID" TERM 5
n=$(dropped_lines) busy=$(lab_log_count "$L1" hook_dropped reason=busy)
step "calls about forged peers: $(unproven_calls); hook_dropped lines: $n ($busy reason=busy)"
# Under a minute of flood: one line in full per reason, no count line yet.
((busy == 1)) || fail "$busy hook_dropped lines with reason=busy (want 1: the first in full, the rest counted)"
((n <= 2)) || fail "$n hook_dropped lines (want one per reason at most)"
daemons_alive || fail "a daemon exited"
netns_pass
