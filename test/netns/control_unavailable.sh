#!/usr/bin/env bash
# When the control socket cannot be made (its directory is a file), faild
# says so (event=control_unavailable) and runs on without it, keeping the
# umask it was started with: what it creates later, such as the log file
# opened anew after logrotate (SIGUSR1), has the operator's permissions
# (umask 027: 0640), never 0644.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=fcun$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin control-unavailable "$FAILD"

lab_up 2 || fail "lab_up"
: >"$DIR/not-a-dir"
LOG=$DIR/faild.log
umask 027
lab_spawn h1 "$DIR/h1.out" "$FAILD" -r -t 0.1 --node-id h1 -l "$LOG" --control-socket "$DIR/not-a-dir/control" ||
  fail "start h1"
PID=$LAB_PID
lab_wait 10 grep -q 'event=control_unavailable ' "$LOG" || fail "no control_unavailable line"
lab_wait 10 grep -q 'event=start .*control=none' "$LOG" || fail "the start line does not say control=none"
kill -0 "$PID" 2>/dev/null || fail "faild did not run on without its control socket"
umask_now=$(awk '/^Umask:/ {print $2}' "/proc/$PID/status")
[[ $umask_now == 0027 ]] || fail "faild's umask is $umask_now after control_unavailable, not the 0027 it started with"

mv "$LOG" "$LOG.1"
kill -USR1 "$PID"
lab_wait 10 grep -q 'event=log_reopened signal=SIGUSR1' "$LOG" || fail "no new log file after SIGUSR1"
mode=$(stat -c %a "$LOG")
[[ $mode == 640 ]] || fail "the log made after logrotate has mode $mode, not 640 (umask 027)"
lab_stop "$PID" TERM 10 || fail "faild did not exit 0 on SIGTERM"
PASSED=1
echo PASS
