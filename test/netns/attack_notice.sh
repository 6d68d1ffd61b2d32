#!/usr/bin/env bash
# Issue 19, item 4: a keyless NOTICE flood causes no failover (IPv4 3-host
# lab, no keys; faild on h1 and h2, h3 is the attacker and runs no faild).
# Every path is up and stays so. h3 learns h2's incarnation from its
# broadcast INQs and sends h1 NOTICEs as h2, 400 a second for 12 s each
# (4,800, in wire versions 1 and 2 each):
#   - on LAN B to 198.51.100.1, naming h2's LAN-A address 192.0.2.2 ("my
#     path to you on LAN A is down")
#   - on LAN A to 192.0.2.1, naming h2's LAN-B address 198.51.100.2
# Each may cost h1 a probe on the named LAN, which h2 answers; none may
# cost a failover: in every sample of h1's routes (every 20-50 ms) over
# 13 s h1 has no faild route, and neither h1 nor h2 logs a path_down.
# (The old faild failed over when a confirmation's answer came later than
# its 5 ms deadline: a race, so how often depends on the machine's load;
# both directions and 12 s make a clean run of c30038b unlikely.)
# Exit 0 pass, 1 fail (every failed check listed), 77 when namespaces
# cannot be made or python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait / observe
set -u

export LAB=atk4$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
# shellcheck source-path=SCRIPTDIR source=lib/attack.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/attack.bash" || exit 1
attack_begin notice "$FAILD" "$FAILDCTL"

step "lab $LAB: 3 hosts (h3: attacker, no faild), no keys"
lab_up 3 || fail "lab_up"
mapfile -t S1 < <(state_args h1)
mapfile -t S2 < <(state_args h2)
start_faild h1 "${S1[@]}"
start_faild h2 "${S2[@]}"
wait_paths_up
both_empty || fail "faild installed routes while all paths are up"
step "all paths up"

n0=$(nlines "$L1") n2=$(nlines "$L2")
OBS_HOSTS=h1
atk_spawn h3 notices_b forge --dev eth1 --to 198.51.100.1 --type notice --node-id h2 --learn --learn-family 4 \
  --addr 192.0.2.2 --count 4800 --rate 400 --seconds 12 "${WIRE[@]}" --stats "$DIR/notices_b.stats"
FPID_B=$APID
atk_spawn h3 notices_a forge --dev eth0 --to 192.0.2.1 --type notice --node-id h2 --learn --learn-family 4 \
  --addr 198.51.100.2 --count 4800 --rate 400 --seconds 12 "${WIRE[@]}" --stats "$DIR/notices_a.stats"
FPID_A=$APID
for l in a b; do
  lab_wait 10 stat_at_least "$DIR/notices_$l.stats" forged 1 || fail "no NOTICE forged: $(tail -n2 "$DIR/notices_$l.out")"
  step "$(grep -m1 '^forging' "$DIR/notices_$l.out" | cut -c1-160)"
done
if observe 13 no_routes h1; then
  step "no faild route on h1 in $OBS_N samples over 13 s"
else
  bad "NOTICE flood: $OBS_BAD of $OBS_N samples had a faild route, the first $OBS_FIRST"
fi
for l in a b; do
  lab_wait 5 tool_done "$DIR/notices_$l.stats" || bad "the NOTICE flood on LAN ${l^^} did not end in time"
  step "attacker report (LAN ${l^^}): $(tail -n1 "$DIR/notices_$l.out")"
done
lab_stop "$FPID_A" TERM 5
lab_stop "$FPID_B" TERM 5
downs=$(lines_since "$L1" "$n0" path_down peer=h2 | sed 's/^.*event=/event=/')
[[ -z $downs ]] || bad "NOTICE flood: h1 logged $(grep -c . <<<"$downs") path_down for h2, the first: $(head -n1 <<<"$downs")"
downs=$(lines_since "$L2" "$n2" path_down peer=h1 | sed 's/^.*event=/event=/')
[[ -z $downs ]] || bad "NOTICE flood: h2 logged $(head -n1 <<<"$downs")"
routes_empty h2 || bad "NOTICE flood: h2 has faild routes: $(lab_routes h2 | paste -sd';')"
step "h1 logged $(lab_log_count "$L1" notice_received) notice_received, $(lab_log_count "$L1" notice_refuted) notice_refuted"
daemons_alive || bad "a daemon exited"
attack_end
