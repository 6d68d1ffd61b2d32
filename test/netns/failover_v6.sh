#!/usr/bin/env bash
# Acceptance test for IPv6: the real faild in a namespace lab of two hosts
# (scripts/lab with LAB_FAMILY=v6: IPv6 only, not one IPv4 address).
# failover_dual.sh runs this same script with FAILOVER_FAMILY=dual (both
# families on both LANs); what differs is said where it differs.
#
#   1. both daemons see each other on both LANs (every family) and have
#      joined faild's group ff02::fa1d on both interfaces
#   2. a silent cut of h2's LAN A makes both install exactly the expected
#      host routes and nothing else:
#        h1: 2001:db8:a::2 via <h2's link-local on eth1> dev eth1 src 2001:db8:a::1
#        h2: 2001:db8:a::1 via <h1's link-local on eth1> dev eth1 src 2001:db8:a::2
#      (dual: also 192.0.2.2 via 198.51.100.2 dev eth1 src 192.0.2.1 and the
#      mirror on h2; no route to a LAN-B address, none to a link-local);
#      an echo flow h1 -> 2001:db8:a::2 (dual: and one to 192.0.2.2) gets
#      replies again through LAN B
#   3. after the repair both route sets are empty, the flows are back on
#      LAN A (switch port counters) and no datagram was lost after the repair
#   4. crash safety: SIGTERM removes the routes of both families (and the
#      peer's, by BYE); a SIGKILLed daemon's routes are removed as stale at
#      its next start
#
# ctest sets FAILD_BIN, UDPECHO_BIN, FAILD_SOURCE_DIR. Exit 0 pass, 1 fail
# (with a dump of every host), 77 where namespaces cannot be made (skip).
# The failover gap is not asserted here: the demo measures it
# (LAB_FAMILY=v6 scripts/lab demo).
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

FAMILY=${FAILOVER_FAMILY:-v6}
case $FAMILY in
  v6) FAMS=(v6) ;;
  dual) FAMS=(v4 v6) ;;
  *) echo "FAIL: FAILOVER_FAMILY must be v6 or dual, not '$FAMILY'" >&2; exit 1 ;;
esac

export LAB=fo${FAMILY}t$$ LAB_FAMILY=$FAMILY
unset LAB_V6
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin "netns-$FAMILY" "$FAILD" "$UDPECHO"
declare -A CPIDS

# ------------------------------------------------------------ helpers ---

re() { printf '%s' "${1//./\\.}"; }  # an address as a literal in a regex

# expected_routes HOST PEER: one regex per line, the host's whole expected
# faild route set while PEER's LAN A is cut: the peer's LAN-A address of
# every family via the peer's LAN-B address (IPv6: its link-local), src
# our own LAN-A address.
expected_routes() {
  local h=$1 p=$2 fam via
  for fam in "${FAMS[@]}"; do
    if [[ $fam == v6 ]]; then via=${LL[$p]}; else via=$(lab_addr "$p" b v4); fi
    printf '^%s via %s dev eth1( .*)? src %s( |$)\n' \
      "$(re "$(lab_addr "$p" a "$fam")")" "$(re "$via")" "$(re "$(lab_addr "$h" a "$fam")")"
  done
}

# routes_are HOST PEER (instead of the library's HOST REGEX): the host's
# faild routes (both families) are exactly the expected ones: as many lines
# as regexes, each regex matching one line.
routes_are() {
  local r want n=0 line
  r=$(lab_routes "$1") || return 1
  want=$(expected_routes "$1" "$2")
  while IFS= read -r line; do
    ((n++))
    [[ $(grep -cE -- "$line" <<<"$r") -eq 1 ]] || return 1
  done <<<"$want"
  [[ $(grep -c . <<<"$r") -eq $n ]]
}
both_failed_over() { routes_are h1 h2 && routes_are h2 h1; }

show_expected() {
  local h p
  for h in h1 h2; do
    p=h2; [[ $h == h2 ]] && p=h1
    expected_routes "$h" "$p" | sed "s/^/        $h wants: /"
  done
}

flow_received() { received "$DIR/client-$1.stats"; }
all_received_at_least() {  # N [R0_v4 R0_v6...]: every flow got N echoes (more than its R0)
  local n=$1 fam r i=2
  for fam in "${FAMS[@]}"; do
    r=$(flow_received "$fam")
    [[ -n $r ]] && ((r >= n + ${!i:-0})) || return 1
    ((i++))
  done
}

# ------------------------------------------------------------- test ---

step "lab $LAB: 2 hosts, family $FAMILY"
lab_up 2 || fail "lab_up"
for h in h1 h2; do
  [[ $(lab_addr_flags "$h" "$(lab_addr "$h" a v6)") == ok ]] || fail "$h's LAN A IPv6 address is not usable after lab_up"
  if [[ $FAMILY == v6 ]]; then
    v4=$(lab_exec "$h" ip -4 -o addr show scope global)
    [[ -z $v4 ]] || fail "the IPv6-only lab has IPv4 addresses in $h: $v4"
  fi
done
declare -A LL
for h in h1 h2; do
  LL[$h]=$(lab_lladdr "$h" b) || fail "no link-local address on $h's eth1"
done
step "link-locals on LAN B: h1 ${LL[h1]}, h2 ${LL[h2]}"
both_empty || fail "faild routes present before faild ran"

start_faild h1
start_faild h2
step "faild started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
lab_wait 30 paths_up ||
  fail "paths did not come up within 30 s (want path_up lan=eth0|eth1 family=${FAMS[*]} in both logs)"
daemons_alive || fail "a daemon exited"
both_empty || { show_routes; fail "faild installed routes while all paths are up"; }
step "all paths up (${FAMS[*]}), no faild routes"
for h in h1 h2; do
  for dev in eth0 eth1; do
    lab_exec "$h" ip -6 maddr show dev "$dev" | grep -qw 'ff02::fa1d' ||
      fail "$h has not joined faild's group ff02::fa1d on $dev"
  done
done
step "both joined ff02::fa1d on eth0 and eth1"

start_server
grep -q 'no IPv6' "$DIR/server.out" && fail "udpecho serve has no IPv6 socket"
for fam in "${FAMS[@]}"; do
  start_client "client-$fam" "$(lab_addr h2 a "$fam")"
  CPIDS[$fam]=$CPID
done
lab_wait 10 all_received_at_least 100 || fail "the echo flows h1 -> h2's LAN A addresses do not run"
step "echo flows h1 -> $(for f in "${FAMS[@]}"; do printf '%s ' "$(lab_addr h2 a "$f")"; done)running"

# --- failover --------------------------------------------------------------
lab_fault h2 a silent || fail "lab_fault"
step "silent cut of h2's LAN A"
lab_wait 10 both_failed_over || { show_routes; show_expected; fail "the route sets are not the expected ones 10 s after the cut"; }
step "both hosts failed over:"
show_routes
r0=()
for fam in "${FAMS[@]}"; do r0+=("$(flow_received "$fam")"); done
lab_wait 10 all_received_at_least 200 "${r0[@]}" ||
  fail "no echo replies on every family after the failover routes went in (received was ${r0[*]}, now $(for f in "${FAMS[@]}"; do printf '%s ' "$(flow_received "$f")"; done))"
step "echo flows get replies again through LAN B"
both_failed_over || { show_routes; fail "route set changed while LAN A stayed cut"; }
# The log names the route as the kernel shows it (canonical addresses).
lab_log_has "$DIR/h1.log" route_added "dst=2001:db8:a::2/128" "via=${LL[h2]}" dev=eth1 "src=2001:db8:a::1" ||
  fail "h1's log has no route_added dst=2001:db8:a::2/128 via=${LL[h2]} dev=eth1 src=2001:db8:a::1"
lab_log_has "$DIR/h1.log" path_down peer=h2 lan=eth0 family=v6 ||
  fail "h1's log has no path_down peer=h2 lan=eth0 family=v6"

# --- switchback ------------------------------------------------------------
for fam in "${FAMS[@]}"; do kill -USR1 "${CPIDS[$fam]}"; done  # mark: loss after here is switchback loss
lab_restore h2 a || fail "lab_restore"
step "h2's LAN A restored"
lab_wait 20 both_empty || { show_routes; fail "faild routes not removed within 20 s of the repair"; }
step "both route sets empty"
lab_log_has "$DIR/h1.log" route_removed "dst=2001:db8:a::2/128" reason=switchback ||
  fail "h1's log has no route_removed dst=2001:db8:a::2/128 ... reason=switchback"

check_back_on_lan_a ${#FAMS[@]}

for fam in "${FAMS[@]}"; do
  lab_stop "${CPIDS[$fam]}" INT 10
  report=$(grep -m1 '^sent=' "$DIR/client-$fam.out") || fail "no report from udpecho client ($fam)"
  mark=$(grep -m1 '^mark=1 ' "$DIR/client-$fam.out") || fail "udpecho client ($fam) recorded no mark"
  step "echo report ($fam): $report"
  step "                  $mark"
  lost=$(lab_kv lost_after "$mark")
  [[ $lost == 0 ]] || fail "$fam: $lost datagrams lost after the repair (expected 0)"
done
lab_stop "$SPID" TERM 5

# --- crash safety ------------------------------------------------------------
lab_fault h2 a silent || fail "lab_fault"
step "silent cut of h2's LAN A again"
lab_wait 10 both_failed_over || { show_routes; show_expected; fail "no failover on the second cut"; }
step "both failed over"

stop_faild h1
routes_empty h1 || { show_routes; fail "h1 kept faild routes after a clean exit"; }
step "h1's faild exited on SIGTERM; h1 has no faild route (either family)"
lab_log_has "$DIR/h1.log" route_removed "dst=2001:db8:a::2/128" reason=shutdown ||
  fail "h1's log has no route_removed dst=2001:db8:a::2/128 ... reason=shutdown"
lab_wait 10 routes_empty h2 || { show_routes; fail "h2 kept its routes after h1's BYE"; }
lab_log_has "$DIR/h2.log" bye peer=h1 || fail "h2's log shows no bye from h1"
step "h2 got the BYE and removed its routes"

FAILD_LOG=$DIR/h1-2.log start_faild h1
step "h1's faild restarted (pid ${DPID[h1]})"
lab_wait 15 both_failed_over || { show_routes; show_expected; fail "no failover after h1's restart"; }
step "both failed over again"

lab_stop "${DPID[h2]}" KILL 10
routes_are h2 h1 || { show_routes; fail "h2's routes vanished with SIGKILL (the stale check below would prove nothing)"; }
step "h2's faild SIGKILLed; its routes stay behind:"
lab_routes h2 | sed 's/^/        h2: /'

stop_faild h1 any
routes_empty h1 || { show_routes; fail "h1 kept faild routes after a clean exit"; }
step "h1's faild stopped"

FAILD_LOG=$DIR/h2-2.log start_faild h2
step "h2's faild restarted (pid ${DPID[h2]})"
stale_gone() {
  routes_empty h2 && lab_log_has "$DIR/h2-2.log" route_removed "dst=2001:db8:a::1/128" reason=stale
}
lab_wait 15 stale_gone ||
  { show_routes; fail "h2's stale routes were not removed at startup (or the IPv6 one not logged as reason=stale)"; }
step "h2 removed the stale routes at startup"
stop_faild h2 any
both_empty || { show_routes; fail "faild routes left at the end"; }

PASSED=1
step "PASS"
exit 0
