#!/usr/bin/env bash
# A rogue without keys (3-host lab, IPv4, no keys anywhere): h3 forges INQs
# and ACKs claiming node id "h2" on both LANs (it answers h1's INQs with
# ACKs that echo their sequence, takes over h2's incarnation once heard, and
# advertises 203.0.113.50 (outside the lab's two LAN prefixes), 192.0.2.77
# (inside LAN A) and 169.254.1.1 (link-local)). Then h2's real LAN A is cut.
# Without keys h1 may be fooled (the rogue's ACKs can keep the path up,
# the rogue's address can become the next hop): that is recorded, not
# failed. What is asserted are the route guards of PROTOCOL.md ("What peers
# can make us route"), sampled every 50 ms and over every route_added line:
#   - never a route to 203.0.113.50 or 169.254.1.1 (or anything outside
#     192.0.2.0/24 and 198.51.100.0/24)
#   - a route via eth1 has its next hop in 198.51.100.0/24, via eth0 in
#     192.0.2.0/24; src is h1's own address on the other LAN
#   - faild keeps running and removes its routes on exit
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=frog$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || { echo "SKIP: python3 is not installed" >&2; exit 77; }
TOOL=$SRC/test/tools/faild_attacker.py
netns_begin rogue "$FAILD" "$FAILDCTL" "$TOOL"

SEEN=$DIR/routes-seen.txt
: >"$SEEN"
word_after() { local re="(^| )$1 ([^ ]+)"; [[ $2 =~ $re ]] && printf '%s' "${BASH_REMATCH[2]}"; }
# guards_hold: every faild route of h1 keeps to the guards; records each.
guards_hold() {
  local line dst via dev src
  while read -r line; do
    [[ -n $line ]] || continue
    echo "$line" >>"$SEEN"
    dst=${line%% *}
    via=$(word_after via "$line") dev=$(word_after dev "$line") src=$(word_after src "$line")
    case $dst in
      203.0.113.50* | 169.254.*) GUARD_ERR="route to a claimed address outside our prefixes: $line"; return 1 ;;
      192.0.2.* | 198.51.100.*) ;;
      *) GUARD_ERR="route outside the LAN prefixes: $line"; return 1 ;;
    esac
    case $dev in
      eth1) [[ $via == 198.51.100.* && $src == 192.0.2.1 && $dst == 192.0.2.* ]] ||
        { GUARD_ERR="bad route via eth1: $line"; return 1; } ;;
      eth0) [[ $via == 192.0.2.* && $src == 198.51.100.1 && $dst == 198.51.100.* ]] ||
        { GUARD_ERR="bad route via eth0: $line"; return 1; } ;;
      *) GUARD_ERR="route on an unexpected device: $line"; return 1 ;;
    esac
  done < <(lab_routes h1)
  return 0
}
# watch SECONDS: guards every 50 ms for that long, faild alive throughout.
watch() {
  local deadline=$(($(_lab_us) + $1 * 1000000))
  while (($(_lab_us) < deadline)); do
    guards_hold || { show_routes; fail "$GUARD_ERR"; }
    alive "${DPID[h1]}" || fail "h1's faild exited"
    sleep 0.05
  done
}
status_h1() { lab_exec h1 "$FAILDCTL" status -X 2>&1 | sed 's/^/        h1 status: /'; }

step "lab $LAB: 3 hosts (h3: rogue, no faild), no keys"
lab_up 3 || fail "lab_up"
start_faild h1
start_faild h2
step "faild started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"

lab_spawn h3 "$DIR/rogue.out" "$PY" "$TOOL" rogue --node-id h2 \
  --lan eth0=192.0.2.3,192.0.2.255 --lan eth1=198.51.100.3,198.51.100.255 \
  --claim 203.0.113.50 --claim 192.0.2.77 --claim 169.254.1.1 \
  --interval 0.1 --seconds 60 --stats "$DIR/rogue.stats" || fail "start rogue"
RPID=$LAB_PID
acks_at_least() { local a; a=$(sed -n 's/.*\backs=\([0-9]*\).*/\1/p' "$DIR/rogue.stats" 2>/dev/null); [[ -n $a ]] && ((a >= $1)); }
lab_wait 10 acks_at_least 10 || fail "the rogue does not answer h1's INQs"
step "rogue runs in h3 as \"h2\": $(grep -m1 learned "$DIR/rogue.out" || echo 'incarnation not learned yet')"
watch 4
step "4 s of rogue with every LAN up: guards hold; h1's routes: [$(lab_routes h1 | paste -sd';')]"
status_h1

n0=$(nlines "$L1")
lab_fault h2 a silent || fail "lab_fault"
step "silent cut of h2's LAN A (the rogue keeps claiming h2 on both LANs)"
watch 10
alive "$RPID" || fail "the rogue stopped early"
step "10 s after the cut: guards held at every sample"
if has_since "$L1" "$n0" path_down peer=h2 lan=eth0; then
  step "h1: $(first_event_since "$L1" "$n0" path_down peer=h2 lan=eth0)"
else
  step "h1 never declared h2's eth0 path down: the rogue's ACKs kept it up (expected without keys)"
fi
step "h1's routes now: [$(lab_routes h1 | paste -sd';')]"
status_h1
step "distinct routes h1 had while the rogue ran:"
sort -u "$SEEN" | sed 's/^/        /'
lab_log_lines "$L1" route_added | sed 's/^.*event=/        h1 log: event=/' | sort | uniq -c | sort -rn | head -20

lab_stop "$RPID" TERM 5
step "rogue report: $(tail -n1 "$DIR/rogue.out")"

# Phase 2: the rogue on LAN B only, so h2's LAN A path does go down and h1
# plans routes for whatever "h2" claims (the real h2's and the rogue's
# addresses alternate), via whichever "h2" answered last on LAN B.
n1=$(nlines "$L1")
: >"$SEEN"
lab_spawn h3 "$DIR/rogue2.out" "$PY" "$TOOL" rogue --node-id h2 \
  --lan eth1=198.51.100.3,198.51.100.255 \
  --claim 203.0.113.50 --claim 192.0.2.77 --claim 169.254.1.1 \
  --interval 0.1 --seconds 60 --stats "$DIR/rogue.stats" || fail "start rogue (LAN B only)"
RPID=$LAB_PID
step "rogue restarted in h3 on LAN B only"
v4_down() { has_since "$L1" "$n1" path_down peer=h2 lan=eth0 family=v4 || lab_exec h1 "$FAILDCTL" status -X 2>/dev/null | grep -q '^h2|eth0|v4|down|'; }
lab_wait 10 v4_down || { status_h1; fail "h2's eth0 v4 path did not go down on h1 with nobody answering on LAN A"; }
step "h1: h2's eth0 v4 path is down"
watch 10
alive "$RPID" || fail "the rogue stopped early"
step "10 s with the rogue on LAN B: guards held at every sample; h1's routes now: [$(lab_routes h1 | paste -sd';')]"
status_h1
step "distinct routes h1 had in phase 2:"
sort -u "$SEEN" | sed 's/^/        /'
lab_log_lines "$L1" route_added | sed 's/^.*event=/        h1 log: event=/' | sed 's/ time=[^ ]*//' | sort | uniq -c | sort -rn | head -20
lab_stop "$RPID" TERM 5
step "rogue report: $(tail -n1 "$DIR/rogue2.out")"

lab_restore h2 a || fail "lab_restore"
step "h2's LAN A restored, rogue stopped"
watch 3

# Every route faild ever logged keeps to the guards too.
while read -r line; do
  dst=$(lab_kv dst "$line") via=$(lab_kv via "$line") dev=$(lab_kv dev "$line")
  case "$dst|$dev|$via" in
    192.0.2.*\|eth1\|198.51.100.* | 198.51.100.*\|eth0\|192.0.2.*) ;;
    *) fail "h1 logged a route outside the guards: $line" ;;
  esac
done < <(lab_log_lines "$L1" route_added)
lab_log_has "$L1" route_added 'dst=(203\.0\.113\.50|169\.254\.1\.1)(/32)?' && fail "h1 logged a route to a claimed outside address"
lab_log_lines "$L1" drop | sed 's/^.*event=/        h1 log: event=/'

stop_daemons
both_empty || { show_routes; fail "faild routes left at the end"; }
PASSED=1
step "PASS"
exit 0
