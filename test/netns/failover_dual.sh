#!/usr/bin/env bash
# Acceptance test for dual-stack LANs: the real faild in a namespace lab of
# two hosts (scripts/lab with LAB_FAMILY=dual: IPv4 and IPv6 on both LANs).
#
# A silent cut of h2's LAN A must re-route both families of the peer's LAN-A
# addresses and nothing else; on h1 exactly
#     192.0.2.2 via 198.51.100.2 dev eth1 src 192.0.2.1
#     2001:db8:a::2 via <h2's link-local on eth1> dev eth1 src 2001:db8:a::1
# (no route to a LAN-B address, none to a link-local), h2 the mirror; echo
# flows of both families resume through LAN B; after the repair all routes
# are gone and no datagram of either flow is lost; SIGTERM, BYE and stale
# removal cover both families.
#
# The steps are those of failover_v6.sh, which this runs with
# FAILOVER_FAMILY=dual (one script, so the two cannot drift apart).
# Exit 0 pass, 1 fail, 77 where namespaces cannot be made (skip).
FAILOVER_FAMILY=dual exec bash "$(dirname "${BASH_SOURCE[0]}")/failover_v6.sh" "$@"
