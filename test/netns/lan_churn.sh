#!/usr/bin/env bash
# Interfaces that come and go under new names (container bridges) while
# faild runs without -i (2-host lab, IPv4). In h1, veth interfaces (the
# kernel here has no dummy driver; the other end stays down and bare, so
# only this one is eligible) with an address in 203.0.113.0/24 are made and
# deleted; checked:
#   - each is added (lan_added) and, once deleted, dropped again
#     (lan_removed): four in a row leave the list as it was, and h1's
#     faild holds as many file descriptors after them as before
#   - only from the end: with chA and chB added, deleting chA drops
#     nothing (link_gone only); deleting chB then drops chB, then chA
#   - a LAN with a path to a peer stays after its interface goes (the path
#     is routed around) until the path is forgotten, then goes on its own
#   - the LANs faild started with stay, paths to h2 on them stay up, no
#     route for them moves; afterwards a silent cut of h2's LAN A still
#     fails over and the repair switches back
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=fchn$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin lan-churn "$FAILD"

step "lab $LAB: 2 hosts"
lab_up 2 || fail "lab_up"
start_faild h1
start_faild h2
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"

fds() { find "/proc/${DPID[h1]}/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
add_if() {  # NAME HOST-OCTET
  if ! { lab_exec h1 ip link add "$1" type veth peer name "$1p" &&
    lab_exec h1 ip addr add "203.0.113.$2/24" dev "$1" &&
    lab_exec h1 ip link set "$1" up; }; then
    fail "cannot make $1 in h1"
  fi
}
del_if() { lab_exec h1 ip link del "$1" || fail "cannot delete $1 in h1"; }
logged() { lab_log_has "$L1" "$@"; }
n_logged() { lab_log_count "$L1" "$@"; }

fd0=$(fds)
for n in 1 2 3 4; do
  add_if "ch$n" "$n"
  lab_wait 10 logged lan_added "lan=ch$n" || fail "h1 did not add ch$n (lan_added)"
  del_if "ch$n"
  lab_wait 10 logged lan_removed "lan=ch$n" || fail "h1 did not drop ch$n once it was deleted (lan_removed)"
done
(($(n_logged lan_added) == 4 && $(n_logged lan_removed) == 4)) ||
  fail "expected 4 lan_added and 4 lan_removed, got $(n_logged lan_added) and $(n_logged lan_removed)"
fd1=$(fds)
((fd1 == fd0)) || fail "h1's faild held $fd0 file descriptors before the churn and $fd1 after (sockets left open?)"
step "4 interfaces added and dropped again; $fd1 file descriptors before and after"

add_if chA 11
add_if chB 12
lab_wait 10 logged lan_added lan=chB || fail "h1 did not add chB"
logged lan_added lan=chA || fail "h1 did not add chA"
del_if chA
lab_wait 10 logged link_gone lan=chA || fail "h1 did not see chA go (link_gone)"
logged lan_removed lan=chA && fail "h1 dropped chA while chB came after it"
del_if chB
lab_wait 10 logged lan_removed lan=chA || fail "h1 did not drop chA and chB once both were deleted"
order=$(lab_log_lines "$L1" lan_removed 'lan=ch[AB]' | sed -n 's/.*lan=\(ch[AB]\).*/\1/p' | paste -sd,)
[[ $order == chB,chA ]] || fail "lan_removed order '$order', expected chB,chA (from the end)"
step "from the end only: chA kept while chB followed it, then both dropped ($order)"

# A LAN with a peer on it stays while it has paths: a veth between h1 (x1,
# 203.0.113.1) and h2 (x1p, .2). Deleted, h1 keeps x1 (its path to h2 is
# down, and routed around) until h2 no longer claims 203.0.113.2 and the
# path is forgotten; then x1 goes without any further link change.
if ! { lab_exec h1 ip link add x1 type veth peer name x1p &&
  lab_exec h1 ip link set x1p netns "$(_lab_ns h2)" &&
  lab_exec h1 ip addr add 203.0.113.1/24 dev x1 && lab_exec h1 ip link set x1 up &&
  lab_exec h2 ip addr add 203.0.113.2/24 dev x1p && lab_exec h2 ip link set x1p up; }; then
  fail "cannot make the veth x1 (h1) - x1p (h2)"
fi
lab_wait 15 logged path_up peer=h2 lan=x1 || fail "h1's path to h2 on x1 did not come up"
step "x1 between h1 and h2: path up"
del_if x1
lab_wait 10 logged link_gone lan=x1 || fail "h1 did not see x1 go"
lab_wait 10 logged lan_removed lan=x1 || fail "h1 kept x1 after its path to h2 there was forgotten"
seq_of() { grep -n "event=$1 .*lan=x1\b" "$L1" | head -n1 | cut -d: -f1; }
gone=$(seq_of link_gone) forgot=$(seq_of path_forgotten) removed=$(seq_of lan_removed)
if ! [[ -n $gone && -n $forgot && -n $removed ]] || ((gone > forgot || forgot > removed)); then
  fail "expected link_gone, then path_forgotten, then lan_removed for x1 (log lines ${gone:-none}, ${forgot:-none}, ${removed:-none})"
fi
lab_wait 10 both_empty || { show_routes; fail "a route for h2's x1 address stayed"; }
step "x1 deleted: kept while its path lived (lines $gone, $forgot, $removed), then dropped; no route left"

lab_log_has "$L1" lan_removed 'lan=eth[01]' && fail "h1 dropped a LAN it started with"
for l in "$L1" "$L2"; do
  lab_log_has "$l" path_down 'lan=eth[01]' && fail "$l: a path on eth0 or eth1 went down during the churn"
  lab_log_has "$l" route_added 'dst=(192\.0\.2|198\.51\.100)\.' && fail "$l: a route for eth0 or eth1 was added during the churn"
done
paths_up "$L1" "$L2" || fail "not every path is up after the churn"
daemons_alive || fail "a daemon exited"
step "paths to h2 up, no route moved"

cut_and_repair_a "after the churn"
netns_pass
