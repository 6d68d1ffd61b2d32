#!/usr/bin/env bash
# A node that hears no peer says why and what to check, once:
# - two responders (the packaged faild.conf with --no-requestor: what the
#   old packaged file did) hear nothing: each logs no_peer_heard once,
#   within 10 s and a little, with the hint "is any host on these LANs a
#   requestor" and the firewall's needs (UDP port, broadcast, ff02::fa1d,
#   TTL 255), and faildctl says "(no peers heard yet)";
# - h1 restarted as a requestor (the packaged file as it is): h2 logs
#   peer_heard (resolved), and no second warning;
# - a requestor alone on the LANs: no_peer_heard with the hint "is faild
#   running on the other hosts".
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=fsil$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin silent-peers "$FAILD" "$FAILDCTL"
PKG=$SRC/conf/faild.conf
[[ -r $PKG ]] || fail "no packaged $PKG"

lab_up 2 || fail "lab_up"
# The packaged file, with the log and control socket of this test.
run() {  # HOST LOG ARG...
  local host=$1 log=$2
  shift 2
  lab_spawn "$host" "${log%.log}.out" "$FAILD" -c "$PKG" -t 0.1 --node-id "$host" -l "$log" \
    --control-socket "$DIR/$host.control" "$@" || fail "start $host"
  DPID[$host]=$LAB_PID
}
run h1 "$L1" --no-requestor
run h2 "$L2" --no-requestor
lab_wait 15 lab_log_has "$L1" no_peer_heard requestor=no || fail "h1 did not say it hears no peer within 15 s"
lab_wait 5 lab_log_has "$L2" no_peer_heard requestor=no || fail "h2 did not say it hears no peer"
line=$(lab_log_lines "$L1" no_peer_heard | head -n1)
step "h1: ${line#*event=}"
for want in 'level=warning' 'is any host on these LANs a requestor' 'UDP port 7793' 'IPv4 broadcast and unicast' \
  'ff02::fa1d' '255' 'lans=eth0,eth1'; do
  [[ $line == *"$want"* ]] || fail "the warning lacks '$want': $line"
done
status=$(lab_exec h1 "$FAILDCTL" -s "$DIR/h1.control" status 2>&1)
[[ $status == *"no peers heard yet"* ]] || fail "faildctl status: $status"

# h1 as the packaged file makes it: a requestor. h2 hears it: resolved.
stop_faild h1
L1B=$DIR/h1b.log
run h1 "$L1B"
lab_wait 10 lab_log_has "$L2" peer_heard || fail "h2 did not log peer_heard once h1 probed"
lab_wait 10 paths_up "$L1B" "$L2" || fail "paths did not come up"
step "h2: $(lab_log_lines "$L2" peer_heard | sed 's/^.*event=/event=/')"
[[ $(lab_log_count "$L2" no_peer_heard) == 1 ]] || fail "h2 warned $(lab_log_count "$L2" no_peer_heard) times"
lab_log_has "$L1B" no_peer_heard && fail "the requestor h1 warned although h2 answers"
stop_faild h1
stop_faild h2

# A requestor alone.
L1C=$DIR/h1c.log
run h1 "$L1C"
lab_wait 15 lab_log_has "$L1C" no_peer_heard requestor=yes || fail "a lone requestor did not warn"
lab_log_lines "$L1C" no_peer_heard | grep -q 'is faild running on the other hosts' ||
  fail "the lone requestor's hint: $(lab_log_lines "$L1C" no_peer_heard)"
stop_faild h1
PASSED=1
step "PASS"
