#!/usr/bin/env bash
# Link awareness, far-end carrier cut (IPv4 lab of two hosts, both faild
# -r -t 0.1 -f 3 -s 3):
#
#   1. h2's LAN A switch port goes down (lab_fault h2 a carrier): h2 sees
#      carrier loss, h1 sees only silence. h2 logs link_down and path_down
#      reason=carrier for h1 on eth0 and tells h1 (notice_sent via=eth1);
#      h1 logs notice_received, confirms with its own probe, and logs
#      path_down reason=peer-notice with FEWER than f=3 missed rounds: it
#      did not wait for its own misses (that is the evidence the notice
#      worked; no timing is asserted). Both hosts have exactly the expected
#      routes and an echo flow h1 -> 192.0.2.2 gets replies again.
#   2. the cut-over gap of the echo flow is printed (measured, not asserted:
#      the benchmark judges performance).
#   3. restore: link_up on h2, both route sets empty, the flow is back on
#      LAN A (switch port counters).
#   4. a fault only broadcasts see: lab_fault h1 a nobcast stops the switch
#      flooding broadcasts to h1 on LAN A; unicast works both ways. h2's
#      broadcast INQs never reach h1, but with fast confirmation (the
#      default) each missed one is followed by a unicast retry, which is
#      answered (mutual rounds, the default: h1 misses h2's INQ and
#      retries, h2 answers, and h1 lists h2 as heard because of it): h2
#      keeps its path to h1 on eth0 (no path_down in 2 s) and neither host
#      installs a route: traffic, all unicast, is fine.
#   5. the same fault without fast confirmation: h2 restarted with
#      --no-fast-confirm --no-mutual --no-unicast-inq (its INQs then are
#      broadcasts that wait for ACKs, and nothing retries them). Without
#      keys a round that goes unanswered is only a suspected miss, counted
#      once a unicast probe of h2's goes unanswered too (PROTOCOL.md,
#      "Trust"): h1 answers those, so h2 keeps its path to h1 on eth0 (no
#      path_down in 2 s) and neither host installs a route. (That a notice
#      cannot take down a working path is attack_notice_flood.sh's.)
#
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=fcn$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-carrier "$FAILD" "$UDPECHO"
F=3  # -f

# ------------------------------------------------------------ helpers ---

# line number (in LOG, after line N) of the first EVENT line with KEYs, or ""
lineno_since() {
  local log=$1 n=$2 line
  shift 2
  line=$(lines_since "$log" "$n" "$@" | head -n1)
  [[ -n $line ]] || return 1
  grep -nxF -- "$line" "$log" | head -n1 | cut -d: -f1
}

# ------------------------------------------------------------- test ---

step "lab $LAB: 2 hosts, IPv4"
lab_up 2 || fail "lab_up"
start_faild h1
start_faild h2
step "faild started: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
wait_paths_up
both_empty || fail "faild routes while all paths are up"
step "all paths up, no faild routes"

start_server
start_client cut 192.0.2.2
lab_wait 10 received_at_least "$DIR/cut.stats" 200 || fail "the echo flow h1 -> 192.0.2.2 does not run"
step "echo flow h1 -> 192.0.2.2 running"

# --- 1. far-end carrier cut ------------------------------------------------
n1=$(nlines "$L1") n2=$(nlines "$L2")
lab_fault h2 a carrier || fail "lab_fault carrier"
step "h2's LAN A switch port down (h2 sees carrier loss, h1 only silence)"
lab_wait 10 both_failed_over || {
  show_routes
  fail "expected exactly [h1: 192.0.2.2 via 198.51.100.2 dev eth1 src 192.0.2.1] and [h2: 192.0.2.1 via 198.51.100.1 dev eth1 src 192.0.2.2]"
}
step "both hosts failed over:"
show_routes

# h2: its own carrier
has_since "$L2" "$n2" link_down lan=eth0 || fail "h2 logged no link_down lan=eth0"
has_since "$L2" "$n2" path_down peer=h1 lan=eth0 family=v4 reason=carrier ||
  fail "h2 logged no path_down peer=h1 lan=eth0 family=v4 reason=carrier"
has_since "$L2" "$n2" notice_sent peer=h1 lan=eth0 family=v4 via=eth1 ||
  fail "h2 logged no notice_sent peer=h1 lan=eth0 family=v4 via=eth1"
step "h2: $(first_event_since "$L2" "$n2" path_down peer=h1 lan=eth0 family=v4)"
step "h2: $(first_event_since "$L2" "$n2" notice_sent peer=h1)"
# h1: silence only, and the notice
has_since "$L1" "$n1" link_down && fail "h1 logged link_down, but its carrier never changed"
lab_wait 5 has_since "$L1" "$n1" notice_received peer=h2 lan=eth0 family=v4 ||
  fail "h1 logged no notice_received peer=h2 lan=eth0 family=v4"
down=$(lines_since "$L1" "$n1" path_down peer=h2 lan=eth0 family=v4)
[[ -n $down ]] || fail "h1 logged no path_down for h2 on eth0"
[[ $(grep -c . <<<"$down") -eq 1 ]] || fail "h1 logged more than one path_down for h2 on eth0: $down"
step "h1: $(first_event_since "$L1" "$n1" notice_received peer=h2)"
step "h1: event=${down#*event=}"
[[ $(lab_kv reason "$down") == peer-notice ]] ||
  fail "h1's path_down has reason=$(lab_kv reason "$down"), expected peer-notice: $down"
missed=$(lab_kv missed "$down")
[[ $missed =~ ^[0-9]+$ ]] || fail "h1's path_down has no missed count: $down"
((missed < F)) || fail "h1's path_down came after missed=$missed >= f=$F rounds: the notice did not speed it up"
# order in h1's own log: notice, then the path down, then the route
ln_notice=$(lineno_since "$L1" "$n1" notice_received peer=h2 lan=eth0 family=v4)
ln_down=$(lineno_since "$L1" "$n1" path_down peer=h2 lan=eth0 family=v4)
ln_route=$(lineno_since "$L1" "$n1" route_added dst='192\.0\.2\.2(/32)?')
[[ -n $ln_notice && -n $ln_down && -n $ln_route ]] || fail "h1's log lacks notice_received / path_down / route_added"
((ln_notice < ln_down && ln_down < ln_route)) ||
  fail "h1's log order is not notice_received ($ln_notice) < path_down ($ln_down) < route_added ($ln_route)"
step "h1 took the path down on h2's notice after $missed missed round(s) (< f=$F), before its own count"

r0=$(received "$DIR/cut.stats")
lab_wait 10 received_at_least "$DIR/cut.stats" $((r0 + 300)) ||
  fail "no echo replies after the failover routes went in (received stays near $r0)"
step "echo flow gets replies again through LAN B (received $r0 -> $(received "$DIR/cut.stats"))"
both_failed_over || { show_routes; fail "route set changed while LAN A stayed cut"; }

# --- 2. the gap, measured ---------------------------------------------------
lab_stop "$CPID" INT 10
report=$(grep -m1 '^sent=' "$DIR/cut.out") || fail "no report from the udpecho client"
step "echo report: $report"
step "CARRIER-CUT GAP (measured, not asserted): $(lab_kv max_gap_ms "$report") ms"
start_client back 192.0.2.2
lab_wait 10 received_at_least "$DIR/back.stats" 200 || fail "the second echo flow does not run"
step "second echo flow running (through LAN B)"

# --- 3. restore ---------------------------------------------------------------
n1=$(nlines "$L1") n2=$(nlines "$L2")
kill -USR1 "$CPID"  # mark: loss after here is switchback loss
lab_restore h2 a || fail "lab_restore"
step "h2's LAN A port back up"
lab_wait 20 both_empty || { show_routes; fail "faild routes not removed within 20 s of the restore"; }
step "both route sets empty"
has_since "$L2" "$n2" link_up lan=eth0 || fail "h2 logged no link_up lan=eth0"
has_since "$L1" "$n1" path_up peer=h2 lan=eth0 family=v4 || fail "h1 logged no path_up for h2 on eth0"
has_since "$L2" "$n2" path_up peer=h1 lan=eth0 family=v4 || fail "h2 logged no path_up for h1 on eth0"
lab_log_has "$L1" route_removed reason=switchback || fail "h1's log has no route_removed ... reason=switchback"

check_back_on_lan_a 1
lab_stop "$CPID" INT 10
CPID=''
report=$(grep -m1 '^sent=' "$DIR/back.out") || fail "no report from the second udpecho client"
mark=$(grep -m1 '^mark=1 ' "$DIR/back.out") || fail "the second udpecho client recorded no mark"
step "echo report across the restore: $report"
step "switchback loss (measured, not asserted): $(lab_kv lost_after "$mark") datagrams"
lab_stop "$SPID" TERM 5

# --- 4. a broadcast-only fault: fast confirmation's unicast retries answer ---
n1=$(nlines "$L1") n2=$(nlines "$L2")
lab_fault h1 a nobcast || fail "lab_fault nobcast"
step "one-way fault: the switch no longer floods broadcasts to h1 on LAN A"
sleep 2  # an observation window: nothing may change
has_since "$L2" "$n2" path_down peer=h1 lan=eth0 &&
  fail "h2 took its path to h1 on eth0 down although unicast works: $(lines_since "$L2" "$n2" path_down peer=h1)"
both_empty || { show_routes; fail "routes installed although unicast works both ways on LAN A"; }
daemons_alive || fail "a daemon exited"
step "h2 kept its path to h1 on eth0 (unicast retries are answered); no routes"

# --- 5. refutation: a notice must not take down a working path ---------------
stop_faild h2
L2=$DIR/h2-nofast.log
FAILD_LOG=$L2 start_faild h2 --no-fast-confirm --no-mutual --no-unicast-inq
n2=0
step "h2's faild restarted with --no-fast-confirm --no-mutual --no-unicast-inq (pid ${DPID[h2]})"
lab_wait 10 has_since "$L2" "$n2" path_up peer=h1 lan=eth0 family=v4 ||
  fail "h2 never had its path to h1 on eth0 up (unicast works both ways on LAN A)"
n2=$(nlines "$L2")
sleep 2  # an observation window: nothing may change
has_since "$L2" "$n2" path_down peer=h1 lan=eth0 &&
  fail "h2 took its path to h1 on eth0 down although h1 answers its unicast probes: $(lines_since "$L2" "$n2" path_down peer=h1)"
has_since "$L1" "$n1" path_down peer=h2 lan=eth0 &&
  fail "h1 took its working path to h2 on eth0 down: $(lines_since "$L1" "$n1" path_down peer=h2 lan=eth0)"
both_empty || { show_routes; fail "routes installed although unicast works both ways on LAN A"; }
step "h2's missed broadcast rounds were checked by unicast probes, answered: no path down, no routes"
lab_restore h1 a || fail "lab_restore"
lab_wait 20 both_empty || { show_routes; fail "faild routes left 20 s after the one-way fault was repaired"; }
daemons_alive || fail "a daemon exited"
step "repaired: no faild routes"

stop_daemons
both_empty || { show_routes; fail "faild routes left at the end"; }
PASSED=1
step "PASS"
exit 0
