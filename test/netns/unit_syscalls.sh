#!/usr/bin/env bash
# Every system call faild makes is allowed by the unit's SystemCallFilter=
# (conf/faild.service), so it still runs under it: faild (and its notify
# program, which inherits the filter) runs under strace in a lab namespace
# through a start, paths coming up, a failover and switchback (routes,
# notify program), faildctl status, SIGHUP, SIGUSR1, a syslog log and
# SIGTERM; every call it made must be in the set the unit's filter lines
# allow, expanded by systemd-analyze syscall-filter (without systemd
# running). Exit 0 pass, 1 fail, 77 without strace, systemd-analyze or
# namespaces.
set -u
command -v strace >/dev/null || { echo "SKIP: strace is not installed (scripts/setup installs it)"; exit 77; }
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed (package systemd)"; exit 77; }
# The unit runs the plain build: a sanitized faild makes calls of its own
# (AddressSanitizer's start-up and reports), which say nothing about it.
if readelf -Ws "${FAILD_BIN:-}" 2>/dev/null | grep -q '__asan_init'; then
  echo "SKIP: $FAILD_BIN is built with AddressSanitizer; the filter is checked on the plain build"
  exit 77
fi
export LAB=fscf$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin unit-syscalls "$FAILD" "$FAILDCTL"
UNIT=$SRC/conf/faild.service

# The allowed set: the unit's SystemCallFilter= lines in order (an allow
# list, then ~ lines taking groups away), groups expanded recursively.
allowed=$(systemd-analyze syscall-filter 2>/dev/null | awk -v unit="$UNIT" '
  /^@/ { g = $1; next }
  /^ +#/ || NF == 0 { next }
  g != "" { members[g] = members[g] " " $1 }
  function expand(name, out,   n, i, parts) {
    if (name !~ /^@/) { out[name] = 1; return }
    n = split(members[name], parts, " ")
    for (i = 1; i <= n; i++) expand(parts[i], out)
  }
  END {
    while ((getline line < unit) > 0) {
      if (line !~ /^SystemCallFilter=/) continue
      sub(/^SystemCallFilter=/, "", line)
      deny = line ~ /^~/
      sub(/^~/, "", line)
      n = split(line, names, " ")
      for (i = 1; i <= n; i++) {
        split("", set)
        expand(names[i], set)
        for (s in set) { if (deny) delete allow[s]; else allow[s] = 1 }
      }
    }
    for (s in allow) print s
  }' | sort -u)
[[ $(grep -c . <<<"$allowed") -gt 100 ]] || fail "could not read the unit's filter through systemd-analyze: $(head -c 300 <<<"$allowed")"

lab_up 2 || fail "lab_up"
: >"$DIR/empty.conf"
printf '#!/bin/sh\necho "$1 $2" >>%s\n' "$DIR/hook.out" >"$DIR/hook"
chmod 755 "$DIR/hook"
start_faild h2 -c "$DIR/empty.conf" --control-socket "$DIR/h2.control"
lab_spawn h1 "$DIR/h1.out" strace -f -qq -o "$DIR/trace" \
  "$FAILD" -r -t 0.1 -f 3 -s 3 --node-id h1 -c "$DIR/empty.conf" -l "$L1" -x "$DIR/hook" \
  --control-socket "$DIR/h1.control" || fail "start h1 under strace"
SPID=$LAB_PID
faild_pid() { pgrep -P "$SPID" -x "${FAILD##*/}"; }
lab_wait 10 faild_pid >/dev/null || fail "no faild under strace"
DPID[h1]=$(faild_pid)
wait_paths_up
lab_fault h2 a silent || fail "lab_fault"
lab_wait 10 both_failed_over || fail "no failover"
lab_exec h1 "$FAILDCTL" -s "$DIR/h1.control" status >"$DIR/status.out" || fail "faildctl status"
lab_restore h2 a || fail "lab_restore"
lab_wait 20 both_empty || fail "no switchback"
lab_wait 10 grep -q '^switchback h2' "$DIR/hook.out" || fail "the notify program did not run"
kill -HUP "${DPID[h1]}"
lab_wait 10 lab_log_has "$L1" reloaded || fail "no reload"
kill -USR1 "${DPID[h1]}"
lab_wait 10 grep -q 'event=log_reopened signal=SIGUSR1' "$L1" || fail "no reopen"
stop_faild h1
lab_wait 10 _lab_dead "$SPID" || fail "strace did not exit"

used=$(grep -oE '^[0-9]+ +([a-z_0-9]+)\(' "$DIR/trace" | sed -E 's/^[0-9]+ +//; s/\($//' | sort -u)
[[ $(grep -c . <<<"$used") -gt 20 ]] || fail "strace recorded too few calls: $used"
missing=$(comm -23 <(echo "$used") <(echo "$allowed"))
step "faild and its notify program made $(grep -c . <<<"$used") distinct system calls: $(paste -sd' ' <<<"$used")"
[[ -z $missing ]] || fail "system calls outside the unit's SystemCallFilter=: $(paste -sd' ' <<<"$missing")"
stop_faild h2
PASSED=1
step "PASS"
