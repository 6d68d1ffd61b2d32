#!/usr/bin/env bash
# SIGHUP re-reads the configuration files: the notify program takes effect
# at once (the next failover runs the new one), a changed interval is named
# as needing a restart and not applied, and a broken file is refused with
# its file:line while faild runs on with what it had.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=frld$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin reload "$FAILD"

for h in a b; do
  # shellcheck disable=SC2016  # $1 is the hook's
  printf '#!/bin/sh\necho "$1" >>"%s/calls-%s"\n' "$DIR" "$h" >"$DIR/hook-$h"
  chmod +x "$DIR/hook-$h"
done
mkdir -p "$DIR/etc/conf.d"
printf 'requestor = yes\ninterval = 0.1\nfail = 3\nsucceed = 3\nnotify = %s/hook-a\n' "$DIR" >"$DIR/etc/faild.conf"

lab_up 2 || fail "lab_up"
lab_spawn h1 "$DIR/h1.out" "$FAILD" -c "$DIR/etc/faild.conf" --node-id h1 -l "$DIR/h1.log" || fail "start h1"
P1=$LAB_PID
start_faild h2
lab_wait 20 lab_log_has "$DIR/h1.log" path_up peer=h2 lan=eth0 family=v4 || fail "paths not up"
grep -q "event=start .*config=$DIR/etc/faild.conf" "$DIR/h1.log" || fail "the start line does not name the config file"

# A drop-in changes the hook and the interval.
printf 'notify = %s/hook-b\ninterval = 0.2\n' "$DIR" >"$DIR/etc/conf.d/50-new.conf"
kill -HUP "$P1"
lab_wait 10 lab_log_has "$DIR/h1.log" reloaded "notify=$DIR/hook-b" applied=notify needs_restart=interval ||
  fail "no reloaded line applying notify and naming interval"
lab_fault h2 a silent || fail "fault"
lab_wait 10 grep -qx failover "$DIR/calls-b" || fail "the new hook did not run on failover"
grep -qx failover "$DIR/calls-a" 2>/dev/null && fail "the old hook still ran"
grep -q 'event=start .*interval=0.2' "$DIR/h1.log" && fail "the interval changed without a restart"

# A broken file: refused, faild keeps running with the hook it has.
printf 'notify = %s/hook-a\nbogus key here\n' "$DIR" >"$DIR/etc/conf.d/60-broken.conf"
kill -HUP "$P1"
lab_wait 10 grep -qE "event=reload_failed .*60-broken\.conf:2: expected 'key = value'" "$DIR/h1.log" ||
  fail "a broken file was not refused with its file:line"
kill -0 "$P1" 2>/dev/null || fail "faild died on a broken configuration"
lab_restore h2 a || fail "restore"
lab_wait 15 grep -qx switchback "$DIR/calls-b" || fail "the hook in force before the broken reload did not run"
PASSED=1
echo PASS
