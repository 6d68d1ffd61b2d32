#!/usr/bin/env bash
# rp_filter: strict reverse-path filtering (1) on a monitored interface would
# drop the peer's probes on the dead LAN once traffic is rerouted, so the
# recovery would never be seen (DESIGN.md). faild refuses to start there.
#
#   1. net.ipv4.conf.all.rp_filter=1 in h1 (inside its namespace): faild
#      exits with status 1 and one line on stderr naming eth0 (the first
#      strict interface), rp_filter and --loose-rp-filter; it installed no
#      route and sent no probe (h2's faild, already running, never hears of
#      h1)
#   2. all=0 but eth1's own rp_filter=1: the message names eth1
#   3. all=1 again, with --loose-rp-filter: faild runs, logs
#      rp_filter_set lan=eth0 value=2 (and eth1), /proc/sys/net/ipv4/conf/
#      eth0/rp_filter in h1 reads 2, and a silent cut + restore of h2's
#      LAN A still fails over and switches back (recovery is seen).
#   The machine's own rp_filter settings are read before and after: they
#   must not change.
#
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=frp$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin netns-rpf "$FAILD"
host_rpf() { cat /proc/sys/net/ipv4/conf/all/rp_filter /proc/sys/net/ipv4/conf/default/rp_filter 2>/dev/null | paste -sd' '; }
HOST_RPF=$(host_rpf)

rpf() { lab_exec "$1" cat "/proc/sys/net/ipv4/conf/$2/rp_filter"; }  # HOST IF|all
set_rpf() { _lab_sysctls "$(_lab_ns "$1")" "net.ipv4.conf.$2.rp_filter=$3" || fail "setting $2 rp_filter=$3 in $1"; }

# refused NAME IFACE: run faild in h1 in the foreground (bounded), expect the
# refusal naming IFACE.
refused() {
  local name=$1 iface=$2 rc err nl
  lab_exec h1 timeout 20 "$FAILD" -r -t 0.1 -f 3 -s 3 --node-id h1 -l "$DIR/$name.log" \
    >"$DIR/$name.stdout" 2>"$DIR/$name.stderr"
  rc=$?
  err=$(<"$DIR/$name.stderr")
  ((rc == 124)) && fail "faild did not exit within 20 s with strict rp_filter on $iface"
  ((rc == 1)) || fail "faild exited with status $rc with strict rp_filter on $iface (expected 1); stderr: $err"
  nl=$(grep -c . "$DIR/$name.stderr")
  ((nl == 1)) || fail "expected exactly one line on stderr, got $nl: $err"
  [[ $err == *rp_filter* ]] || fail "the message does not say rp_filter: $err"
  [[ $err == *--loose-rp-filter* ]] || fail "the message does not name the option --loose-rp-filter: $err"
  [[ $err =~ (^|[^a-z0-9])$iface([^a-z0-9]|$) ]] || fail "the message does not name $iface: $err"
  [[ -z $(lab_routes h1) ]] || { show_routes; fail "faild left routes in h1 although it refused to start"; }
  step "refused with status 1: $err"
}

# ------------------------------------------------------------- test ---

step "lab $LAB: 2 hosts, IPv4"
lab_up 2 || fail "lab_up"
start_faild h2
lab_wait 10 lab_log_has "$L2" start || fail "h2's faild did not start"
alive "${DPID[h2]}" || fail "h2's faild exited"
step "h2's faild runs (the witness: it would log any probe from h1)"

# --- 1. all=1 ---------------------------------------------------------------
set_rpf h1 all 1
step "h1: net.ipv4.conf.all.rp_filter=$(rpf h1 all), eth0=$(rpf h1 eth0), eth1=$(rpf h1 eth1)"
refused strict-all eth0
sleep 0.5  # h2 probes every 0.1 s: a window in which h1's faild would have been heard
lab_log_has "$L2" peer_seen peer=h1 && fail "h2 heard h1's faild, which should have exited before sending"
lab_log_has "$L2" path_up peer=h1 && fail "h2 has a path up to h1, whose faild should have exited before answering"
step "h2 never heard of h1; no route in h1"

# --- 2. only eth1 strict ----------------------------------------------------
set_rpf h1 all 0
set_rpf h1 eth1 1
step "h1: all=$(rpf h1 all), eth0=$(rpf h1 eth0), eth1=$(rpf h1 eth1)"
refused strict-eth1 eth1
set_rpf h1 eth1 0

# --- 3. --loose-rp-filter ---------------------------------------------------
set_rpf h1 all 1
start_faild h1 --loose-rp-filter
lab_wait 10 lab_log_has "$L1" rp_filter_set lan=eth0 value=2 ||
  fail "h1 logged no rp_filter_set lan=eth0 value=2 (status: $(alive "${DPID[h1]}" && echo running || echo exited))"
alive "${DPID[h1]}" || fail "h1's faild exited with --loose-rp-filter"
lab_log_has "$L1" rp_filter_set lan=eth1 value=2 || fail "h1 logged no rp_filter_set lan=eth1 value=2"
[[ $(rpf h1 eth0) == 2 ]] || fail "h1's eth0 rp_filter reads $(rpf h1 eth0), expected 2"
[[ $(rpf h1 eth1) == 2 ]] || fail "h1's eth1 rp_filter reads $(rpf h1 eth1), expected 2"
step "running with --loose-rp-filter: $(lab_log_lines "$L1" rp_filter_set | sed 's/^.*event=/event=/' | paste -sd';')"
step "h1: all=$(rpf h1 all), eth0=$(rpf h1 eth0), eth1=$(rpf h1 eth1)"

wait_paths_up
step "all paths up"

lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 routes_are h1 "$H1_ROUTE" || { show_routes; fail "h1 did not fail over"; }
step "silent cut of h2's LAN A: h1 failed over: $(lab_routes h1)"
sleep 0.5
lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || { show_routes; fail "no switchback within 20 s: h1 does not see LAN A recover"; }
step "restored: both switched back (h1 saw the recovery through loose rp_filter)"

stop_daemons
[[ $(host_rpf) == "$HOST_RPF" ]] || fail "the machine's own rp_filter changed: '$HOST_RPF' -> '$(host_rpf)'"
PASSED=1
step "PASS"
exit 0
