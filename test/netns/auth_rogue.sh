#!/usr/bin/env bash
# Authenticated probes against a rogue on the LAN (3-host lab, IPv4):
# h1 and h2 share a key; h3 runs an unkeyed faild that claims to be h2
# (--node-id h2) on both LANs. h1 must drop every one of h3's datagrams
# (unauthenticated), keep its view of the real h2, and still see h2's LAN A
# go silent when it is cut (the rogue's INQs must not keep it "alive").
# Also: a key file readable by group or others, or too short, is refused
# with exit status 2.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
SRC=${FAILD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FAILD=${FAILD_BIN:-$SRC/build/faild}
export LAB=faut$$
# shellcheck source=scripts/lab
source "$SRC/scripts/lab" || exit 1
lab_check
case $? in 0) ;; 77) exit 77 ;; *) exit 1 ;; esac
DIR=$(mktemp -d /tmp/faild-auth.XXXXXX) || exit 1
PASSED=0
cleanup() { lab_down; if ((PASSED)); then rm -rf "$DIR"; else echo "logs kept in $DIR" >&2; fi; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; { lab_dump; cat "$DIR"/*.log; } >&2; exit 1; }

KEY=$DIR/key
( umask 077; printf '# faild test key\n%s\n' "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" >"$KEY" )

# Refusals first: nothing runs.
cp "$KEY" "$DIR/open-key"; chmod 644 "$DIR/open-key"
out=$("$FAILD" -r -k "$DIR/open-key" 2>&1); rc=$?
[[ $rc == 2 && $out == *"accessible by group or others"* ]] || fail "group-readable key: rc=$rc $out"
( umask 077; echo 0011223344 >"$DIR/short-key" )
out=$("$FAILD" -r -k "$DIR/short-key" 2>&1); rc=$?
[[ $rc == 2 && $out == *"key too short"* ]] || fail "short key: rc=$rc $out"

lab_up 3 || fail "lab_up"
for h in h1 h2; do
  lab_spawn "$h" "$DIR/$h.out" "$FAILD" -r -t 0.1 -f 3 -s 3 --node-id "$h" -l "$DIR/$h.log" -k "$KEY" \
    --control-socket "$DIR/$h.sock" || fail "start $h"
done
lab_wait 20 lab_log_has "$DIR/h1.log" path_up peer=h2 lan=eth0 family=v4 || fail "keyed paths not up"
grep -q 'event=start .*auth="hmac-sha256 keys=1"' "$DIR/h1.log" || fail "start line does not say hmac"
# The rogue: unkeyed, claiming h2's node id.
lab_spawn h3 "$DIR/h3.out" "$FAILD" -r -t 0.05 --node-id h2 -l "$DIR/h3.log" --control-socket "$DIR/h3.sock" ||
  fail "start rogue"
lab_wait 10 lab_log_has "$DIR/h1.log" drop reason=unauthenticated || fail "h1 did not drop the rogue's datagrams"
lab_log_has "$DIR/h1.log" peer_seen peer=h2 'addr=192\.0\.2\.3' && fail "h1 took the rogue for h2"

lab_fault h2 a silent || fail "fault"
want='^192\.0\.2\.2 via 198\.51\.100\.2 dev eth1 .*src 192\.0\.2\.1'
lab_wait 10 eval '[[ $(lab_routes h1) =~ $want ]]' || fail "h1 did not fail over despite the rogue: $(lab_routes h1)"
[[ $(lab_routes h1 | wc -l) == 1 ]] || fail "unexpected routes on h1: $(lab_routes h1)"
lab_restore h2 a || fail "restore"
lab_wait 15 eval '[[ -z $(lab_routes h1) ]]' || fail "no switchback"
PASSED=1
echo PASS
