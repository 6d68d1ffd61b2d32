#!/usr/bin/env bash
# Issue 19, item 7: with keys, a cross-family relay does not revive a dead
# path (dual-stack 3-host lab; h1 and h2 share a key; h3 is the attacker
# and runs no faild).
# Only h2's IPv6 on LAN A breaks: an nftables table in h2's namespace
# drops IPv6 UDP port 7793 in and out of eth0 (IPv4 on LAN A and both
# families on LAN B keep working), so h1 routes 2001:db8:a::2 via h2's
# link-local address on LAN B. h3 then watches h2's LAN-A switch port (a
# packet socket on the port in the lab's switch namespace) and resends
# every IPv4 datagram h2 sends to h1 (unicast or broadcast), unchanged,
# over IPv6 from its own link-local address to h1's link-local address on
# LAN A, at once. While it does (6 s):
#   - h1's IPv6 failover route stays in every sample (every 20-50 ms)
#   - h1 logs no path_up for h2 on eth0 in IPv6
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made, or python3 or nft is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=atk7$$ LAB_FAMILY=dual
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
command -v nft >/dev/null || { echo "SKIP: nft (nftables) is not installed" >&2; exit 77; }
attack_begin relay "$FAILD" "$FAILDCTL"

KEY=$DIR/key
make_key "$KEY"
step "lab $LAB: 3 hosts, dual stack (h3: attacker, no faild), h1 and h2 keyed"
lab_up 3 || fail "lab_up"
mapfile -t S1 < <(state_args h1)
mapfile -t S2 < <(state_args h2)
start_faild h1 -k "$KEY" "${S1[@]}"
start_faild h2 -k "$KEY" "${S2[@]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up (v4 and v6, both LANs)"

lab_exec h2 nft -f - <<'NFT' || fail "nft in h2"
table ip6 faild_test_v6cut {
  chain in { type filter hook input priority 0; iifname "eth0" udp dport 7793 drop; iifname "eth0" udp sport 7793 drop; }
  chain out { type filter hook output priority 0; oifname "eth0" udp dport 7793 drop; oifname "eth0" udp sport 7793 drop; }
}
NFT
V6_ROUTE='^2001:db8:a::2 via fe80:[0-9a-f:]+ dev eth1'
h1_v6_route() {
  local r
  r=$(routes_of h1)
  grep -qE -- "$V6_ROUTE" <<<"$r" && return 0
  WHY="h1's routes: [${r//$'\n'/;}]"
  return 1
}
lab_wait 10 h1_v6_route || { show_routes; fail "no IPv6 failover route for 2001:db8:a::2 at h1 after h2's IPv6 on LAN A broke"; }
grep -qE '^192\.0\.2\.2 ' <<<"$(lab_routes h1)" && fail "h1 routes h2's IPv4 LAN-A address too: $(lab_routes h1 | paste -sd';')"
step "h2's IPv6 on LAN A dropped by nftables: h1 routes $(lab_routes h1 | grep '^2001:db8:a::2' | sed 's/ metric.*//')"

H1LL=$(lab_lladdr h1 a) || fail "no link-local address of h1 on LAN A"
n0=$(nlines "$L1")
atk_spawn h3 relay relay --dev eth0 --tap-netns "$(_lab_ns sw)" --tap-dev h2a --src 192.0.2.2 \
  --dst 192.0.2.1 --dst 192.0.2.255 --to "$H1LL" --seconds 10 --count 500 --stats "$DIR/relay.stats"
RPID=$APID
lab_wait 5 stat_at_least "$DIR/relay.stats" relayed 3 || fail "the relay does not run: $(tail -n2 "$DIR/relay.out")"
step "h3 relays h2's IPv4 datagrams to h1 over IPv6 ($H1LL): $(grep -m1 '^relayed' "$DIR/relay.out" | cut -c1-120)"
OBS_HOSTS=h1
if observe 6 h1_v6_route; then
  step "h1's IPv6 failover route stayed in all $OBS_N samples over 6 s"
else
  bad "cross-family relay: h1's IPv6 failover route was missing in $OBS_BAD of $OBS_N samples, the first $OBS_FIRST"
fi
step "relay: $(cat "$DIR/relay.stats")"
stat_at_least "$DIR/relay.stats" relayed 30 || bad "the relay sent too little to judge: $(cat "$DIR/relay.stats")"
ups=$(lines_since "$L1" "$n0" path_up peer=h2 lan=eth0 family=v6 | sed 's/^.*event=/event=/')
[[ -z $ups ]] || bad "cross-family relay: h1 logged $(head -n1 <<<"$ups")"
lab_stop "$RPID" TERM 5

lab_exec h2 nft delete table ip6 faild_test_v6cut || fail "nft delete in h2"
lab_wait 20 no_routes h1 h2 || bad "no switchback within 20 s of h2's IPv6 coming back: $WHY"
daemons_alive || bad "a daemon exited"
attack_end
