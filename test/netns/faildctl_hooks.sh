#!/usr/bin/env bash
# The operator's view on the real binaries (2-host lab, IPv4):
#   - faildctl status (table, -X, --json) and routes show the expected rows
#     before and after a silent cut of h2's LAN A; events streams JSON lines;
#     faildctl says so (exit 1) when no faild answers;
#   - a notify hook that sleeps far longer than --notify-timeout is killed,
#     logged, and does not delay the failover (the route goes in within
#     milliseconds of the path going down, as without a hook);
#   - the hook gets its arguments and FAILD_* environment.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=fctl$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin ctl "$FAILD" "$FAILDCTL"
CTL=$FAILDCTL

cat >"$DIR/hook" <<HOOK
#!/bin/sh
echo "\$* env=\$FAILD_EVENT,\$FAILD_PEER,\$FAILD_LAN,\$FAILD_FAMILY,\$FAILD_NODE_ID,\${FAILD_ROUTE:-}" >>"$DIR/calls"
[ "\$1" = failover ] && echo \$\$ >"$DIR/sleep.pid" && exec sleep 60
exit 0
HOOK
chmod +x "$DIR/hook"

lab_up 2 || fail "lab_up"
S1=$DIR/h1.sock
start_faild h1 --control-socket "$S1" -x "$DIR/hook" --notify-timeout 0.3
start_faild h2
ctl() { lab_exec h1 "$CTL" -s "$S1" "$@"; }

status_has() { ctl status -X 2>/dev/null | grep -qE "$1"; }
lab_wait 20 status_has '^h2\|eth0\|v4\|up\|0\|[0-9]+\|[0-9.]+\|[0-9.]+\|-$' || fail "no up row for h2 on eth0: $(ctl status -X)"
lab_wait 20 status_has '^h2\|eth1\|v4\|up\|' || fail "no up row for h2 on eth1"
ctl status -X | head -1 | grep -qx 'peer|lan|family|state|missed|good|rtt_ms|loss_pct|route' || fail "bad -X header"
ctl status | head -1 | grep -qE '^PEER +LAN +FAMILY +STATE +MISSED +GOOD +RTT_MS +LOSS_PCT +ROUTE$' || fail "bad table header"
ctl status --json | grep -qE '"peer": "h2", "lan": "eth0", "family": "v4", "state": "up"' || fail "bad JSON"
[[ $(ctl routes) == "no faild routes" ]] || fail "routes before the cut: $(ctl routes)"
step "status before the cut:"; ctl status | sed 's/^/     /'

lab_exec h1 "$CTL" -s "$S1" events >"$DIR/events" 2>&1 &
EPID=$!
# shellcheck disable=SC2016  # expanded by eval
lab_wait 5 eval '[[ -n $(ls /proc/$EPID 2>/dev/null) ]]' || true

lab_fault h2 a silent || fail "fault"
lab_wait 10 status_has '^h2\|eth0\|v4\|down\|[0-9]+\|0\|.*\|192\.0\.2\.2/32 via 198\.51\.100\.2 dev eth1 src 192\.0\.2\.1$' ||
  fail "no down row with its route: $(ctl status -X)"
[[ $(ctl routes) == "192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1" ]] || fail "routes after the cut: $(ctl routes)"
[[ $(ctl routes -X) == $'dst|via|dev|src\n192.0.2.2/32|198.51.100.2|eth1|192.0.2.1' ]] || fail "routes -X: $(ctl routes -X)"
step "status after the cut:"; ctl status | sed 's/^/     /'
lab_wait 5 grep -q '"event":"route_added","dst":"192.0.2.2/32"' "$DIR/events" || fail "no route_added in the event stream"
lab_wait 5 grep -q '"event":"path_down","peer":"h2","lan":"eth0","family":"v4"' "$DIR/events" || fail "no path_down in the event stream"
kill "$EPID" 2>/dev/null

# The hook: killed after 0.3 s, logged; the failover did not wait for it.
lab_wait 10 grep -qE 'event=hook_done .*call="failover h2 eth0 v4" signal=9 timeout=0.3 ' "$DIR/h1.log" ||
  fail "the sleeping failover hook was not killed at its timeout"
down_t=$(lab_log_lines "$DIR/h1.log" path_down peer=h2 lan=eth0 family=v4 | head -1 | sed -E 's/^time=([^ ]+).*/\1/')
route_t=$(lab_log_lines "$DIR/h1.log" route_added 'dst=192\.0\.2\.2/32' | head -1 | sed -E 's/^time=([^ ]+).*/\1/')
delay_ms=$(( ($(date -d "$route_t" +%s%6N) - $(date -d "$down_t" +%s%6N)) / 1000 ))
step "path_down -> route_added: ${delay_ms} ms with a hook that sleeps 60 s"
((delay_ms < 100)) || fail "the route went in ${delay_ms} ms after path_down: the hook delayed it"
grep -q "^path_down h2 eth0 v4 env=path_down,h2,eth0,v4,h1,$" "$DIR/calls" || fail "path_down hook call: $(cat "$DIR/calls")"
grep -q "^failover h2 eth0 v4 env=failover,h2,eth0,v4,h1,192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1$" "$DIR/calls" ||
  fail "failover hook call: $(cat "$DIR/calls")"
# (its own pid, which exec made the sleep's: not any "sleep 60" on the machine)
[[ -s $DIR/sleep.pid ]] || fail "the failover hook did not record its pid"
lab_wait 2 _lab_dead "$(<"$DIR/sleep.pid")" || fail "the hook's sleep outlived its timeout"

lab_restore h2 a || fail "restore"
# shellcheck disable=SC2016  # expanded by eval
lab_wait 15 eval '[[ $(ctl routes) == "no faild routes" ]]' || fail "routes after restore: $(ctl routes)"
lab_wait 5 grep -q "^switchback h2 eth0 v4 " "$DIR/calls" || fail "no switchback hook"

lab_stop "${DPID[h1]}" TERM 10 || fail "h1 did not exit 0"
[[ -e $S1 ]] && fail "control socket left behind after a clean exit"
out=$(lab_exec h1 "$CTL" -s "$S1" status 2>&1); rc=$?
# shellcheck disable=SC2015  # (A && B) || fail
((rc == 1)) && [[ $out == *"no faild answers on $S1"* ]] || fail "faildctl without a daemon: rc=$rc: $out"
PASSED=1
echo PASS
