#!/usr/bin/env bash
# SIGHUP and SIGUSR1 reopen the log file, as logrotate needs: after the file
# is moved away and faild gets the signal, new lines go to a new file of the
# same name and the moved file gets no more. SIGUSR1 does only that; SIGHUP
# also reloads the configuration. Also: the log opens for append (a restart
# keeps the old lines) and the start line carries the effective settings.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=flog$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin log-reopen "$FAILD"

lab_up 2 || fail "lab_up"
LOG=$DIR/faild.log
echo "time=earlier line from a previous run" >"$LOG"
lab_spawn h1 "$DIR/h1.out" "$FAILD" -r -t 0.05 -f 3 -s 3 --node-id h1 -l "$LOG" || fail "start h1"
PID=$LAB_PID
lab_spawn h2 "$DIR/h2.out" "$FAILD" -r -t 0.05 --node-id h2 || fail "start h2"
P2=$LAB_PID

lab_wait 10 grep -q 'event=start ' "$LOG" || fail "no start line"
grep -q '^time=earlier line' "$LOG" || fail "the log was truncated at start (must append)"
grep -qE 'event=start .*node_id=h1 .*requestor=yes interval=0.05 fail=3 succeed=3 port=7793 lans=eth0,eth1' "$LOG" ||
  fail "start line lacks the effective settings"
lab_wait 10 grep -q 'event=peer_seen peer=h2' "$LOG" || fail "no peer_seen"

mv "$LOG" "$LOG.1"
kill -HUP "$PID"
lab_wait 10 grep -q 'event=log_reopened' "$LOG" || fail "no new log file after SIGHUP"
lines=$(wc -l <"$LOG.1")
# Make faild log something more: h2 leaves (BYE), so h1 logs it.
lab_stop "$P2" TERM 10
lab_wait 10 grep -q 'event=bye peer=h2' "$LOG" || fail "no bye line in the new file"
[[ $(wc -l <"$LOG.1") == "$lines" ]] || fail "the moved file still grows after SIGHUP"
grep -q 'event=bye' "$LOG.1" && fail "the bye line went to the moved file"

# SIGUSR1 (what the logrotate snippet sends) only reopens: a new file, and
# no reload of the configuration.
mv "$LOG" "$LOG.u"
kill -USR1 "$PID"
lab_wait 10 grep -q 'event=log_reopened signal=SIGUSR1' "$LOG" || fail "no new log file after SIGUSR1"
kill -0 "$PID" 2>/dev/null || fail "SIGUSR1 killed faild"
grep -q 'event=reloaded' "$LOG" && fail "SIGUSR1 reloaded the configuration"
grep -q 'event=log_reopened signal=SIGUSR1' "$LOG.u" && fail "the SIGUSR1 line went to the moved file"
kill -HUP "$PID"
lab_wait 10 grep -q 'event=reloaded' "$LOG" || fail "SIGHUP no longer reloads"

# logrotate may leave a file faild cannot open (a directory here): faild must
# say so on stderr and keep running, not die with its routes in place.
mv "$LOG" "$LOG.2"
mkdir "$LOG"
kill -HUP "$PID"
lab_wait 10 grep -q 'cannot write the log' "$DIR/h1.out" || fail "no complaint on stderr about the unwritable log"
kill -0 "$PID" 2>/dev/null || fail "faild died when its log could not be reopened"
rmdir "$LOG"
kill -HUP "$PID"
lab_wait 10 grep -q 'event=log_reopened' "$LOG" || fail "no log after the path became writable again"

lab_stop "$PID" TERM 10 || fail "faild did not exit 0 on SIGTERM"
grep -q 'event=stop signal=SIGTERM' "$LOG" || fail "no stop line"
PASSED=1
echo "PASS"
