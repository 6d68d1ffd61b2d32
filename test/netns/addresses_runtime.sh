#!/usr/bin/env bash
# Addresses that come and go while faild runs (IPv6-only lab):
#   1. an address deleted at run time is dropped from what faild uses;
#   2. `ip link set eth0 down` flushes the static IPv6 addresses (measured,
#      DESIGN.md); after `up` and the address is configured again, faild uses
#      it once DAD completes: the paths come back and a later failover routes
#      with it as src;
#   3. no error noise on the way (nothing at level=error).
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=fadr$$ LAB_FAMILY=v6
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin addr-runtime "$FAILD"

lab_up 2 || fail "lab_up"
start_faild h1
start_faild h2
up_on() { lab_log_has "$1" path_up peer="$2" lan="$3" family=v6; }
lab_wait 30 up_on "$L1" h2 eth0 || fail "h1's path to h2 on eth0 not up"
lab_wait 30 up_on "$L1" h2 eth1 || fail "h1's path to h2 on eth1 not up"
step "paths up"

# 1. Delete h1's global address on eth0: faild stops using it.
lab_addr_del h1 a 2001:db8:a::1/64 || fail "addr del"
only_link_local() { lab_log_has "$L1" addresses_changed lan=eth0 'addrs=fe80::[0-9a-f:]+'; }
lab_wait 10 only_link_local || fail "faild did not notice the deleted address"
step "deleted address noticed"

# 2. Admin down/up flushes the static addresses; configure it again.
lab_exec h1 ip link set eth0 down || fail "link down"
lab_wait 10 lab_log_has "$L1" addresses_changed lan=eth0 addrs=none || fail "faild did not notice the flush"
lab_exec h1 ip link set eth0 up || fail "link up"
lab_addr_add h1 a 2001:db8:a::1/64 || fail "addr add"
has_global() { lab_log_has "$L1" addresses_changed lan=eth0 'addrs=2001:db8:a::1/64,fe80::[0-9a-f:]+'; }
lab_wait 15 has_global || fail "faild did not pick up the address after DAD"
[[ $(lab_addr_flags h1 2001:db8:a::1) == ok ]] || fail "faild used the address while it was still tentative"
step "address back in use after DAD"
back_up() { [[ $(lab_log_lines "$L1" path_up peer=h2 lan=eth0 family=v6 | wc -l) -ge 2 ]]; }
lab_wait 15 back_up || fail "h1's path to h2 on eth0 did not come back up"
lab_wait 15 both_empty || fail "routes left after recovery"
step "paths up again, no faild routes"

# The re-added address is the src of a failover route.
lab_fault h2 a silent || fail "fault"
ll=$(lab_lladdr h2 b) || fail "no link-local on h2 eth1"
want="2001:db8:a::2 via $ll dev eth1"
route_ok() { local r; r=$(lab_routes h1); [[ $r == *"$want"*"src 2001:db8:a::1"* ]]; }
lab_wait 10 route_ok || fail "expected h1: $want ... src 2001:db8:a::1, got: $(lab_routes h1)"
step "failover routes with the re-added address: $(lab_routes h1)"

grep -q 'level=error' "$L1" "$L2" && fail "error lines in the logs"
PASSED=1
echo PASS
