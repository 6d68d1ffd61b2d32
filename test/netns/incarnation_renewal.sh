#!/usr/bin/env bash
# Incarnation renewal in the real daemons (2-host lab, IPv4, keyed): with
# --test-round-seq-limit 10 at t = 0.1 each faild runs out of round sequence
# numbers every second and takes a new incarnation (in production: after
# 2^31 - 1 rounds). Checked:
#   - each logs incarnation_renewed with incarnation = previous + 1, its peer
#     logs peer_restarted, and nothing else happens: no path goes down, no
#     faild route appears, no node_id_collision
#   - the kernel filter that drops our own looped-back broadcasts is set
#     again with each new incarnation: the drop count of h1's probe sockets
#     (/proc/net/udp) keeps rising after renewals (with the old filter our
#     broadcasts would reach faild and the count would stand still)
#   - a silent cut of h2's LAN A still fails over, and the repair switches
#     back
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=frnw$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin incarnation "$FAILD"

KEY=$DIR/key
( umask 077; printf '%s\n' 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 >"$KEY" )

step "lab $LAB: 2 hosts"
lab_up 2 || fail "lab_up"
start_faild h1 -k "$KEY" --test-round-seq-limit 10
start_faild h2 -k "$KEY" --test-round-seq-limit 10
step "keyed faild started, 10 rounds per incarnation: h1 pid ${DPID[h1]}, h2 pid ${DPID[h2]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"

renewals() { local n; n=$(grep -c 'event=incarnation_renewed' "$1" 2>/dev/null); echo "${n:-0}"; }
renewed_at_least() { (($(renewals "$1") >= $2)); }
# Drops of h1's faild sockets (local port 7793 = 0x1E71): the last column.
# shellcheck disable=SC2016  # an awk program
own_drops() { lab_exec h1 awk '$2 ~ /:1E71$/ { n += $NF } END { print n + 0 }' /proc/net/udp; }

lab_wait 15 renewed_at_least "$L1" 3 || fail "h1 renewed its incarnation $(renewals "$L1") times in 15 s (expected 3 within ~4 s)"
lab_wait 15 renewed_at_least "$L2" 3 || fail "h2 renewed its incarnation $(renewals "$L2") times in 15 s (expected 3 within ~4 s)"
step "both renewed 3 times: $(grep -m1 'event=incarnation_renewed' "$L1" | sed 's/^.*event=/event=/')"
for l in "$L1" "$L2"; do
  awk '/event=incarnation_renewed/ {
         inc = prev = -1
         for (i = 1; i <= NF; ++i) { split($i, kv, "="); if (kv[1] == "incarnation") inc = kv[2]; if (kv[1] == "previous") prev = kv[2] }
         if (inc != prev + 1) bad = 1; if (last != "" && prev != last) bad = 1; last = inc
       } END { exit bad }' "$l" || fail "$l: renewals do not run incarnation = previous + 1 without gaps"
done

# The filter follows: count h1's own-broadcast drops from now on, after
# the third renewal; with one peer, every 16th round (and the first of each
# incarnation) goes to the broadcast address on each LAN.
d0=$(own_drops)
r0=$(renewals "$L1")
drops_rose() { (($(own_drops) >= d0 + 4)); }
lab_wait 10 drops_rose || fail "h1's sockets dropped $(($(own_drops) - d0)) own broadcasts in 10 s after its renewal $r0 (expected 4 or more: is the filter still the old incarnation's?)"
step "h1's own broadcasts still dropped by the kernel: $d0 -> $(own_drops) (renewals $r0 -> $(renewals "$L1"))"

lab_log_has "$L2" peer_restarted peer=h1 || fail "h2 did not log h1's new incarnation (peer_restarted)"
for l in "$L1" "$L2"; do
  lab_log_has "$l" path_down && fail "$l: a path went down while incarnations were renewed"
  lab_log_has "$l" node_id_collision && fail "$l: node_id_collision (our own broadcast of the incarnation before?)"
  lab_log_has "$l" route_added && fail "$l: a route was added while every path was up"
done
both_empty || { show_routes; fail "faild routes while all paths are up"; }
step "no path down, no route, no collision"

cut_and_repair_a "after renewals"
step "renewals so far: h1 $(renewals "$L1"), h2 $(renewals "$L2")"
netns_pass
