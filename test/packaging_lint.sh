#!/usr/bin/env bash
# The packaging files pass their linters: the init script is POSIX sh
# (shellcheck -s sh, and BusyBox sh parses it), the man pages format
# without a groff or mandoc -Tlint warning, and the files that name the
# mutual rounds' ACK rate agree with the code. Tools that are missing are skipped; with none
# at all, the test is skipped (77).
# Exit 0 pass, 1 fail, 77 skipped.
set -u
SRC=${FAILD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
fails=0 ran=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
if command -v shellcheck >/dev/null; then
  ran=$((ran + 1))
  out=$(shellcheck -s sh "$SRC/scripts/faild.init" 2>&1) || bad "shellcheck -s sh scripts/faild.init:
$out"
else
  echo "note: no shellcheck"
fi
if command -v busybox >/dev/null; then
  ran=$((ran + 1))
  out=$(busybox sh -n "$SRC/scripts/faild.init" 2>&1) || bad "busybox sh -n scripts/faild.init: $out"
else
  echo "note: no busybox"
fi
if command -v groff >/dev/null; then
  ran=$((ran + 1))
  for page in faild/doc/faild.8 faild/doc/faildctl.8 faild/doc/faild.conf.5; do
    out=$(groff -man -Tutf8 -ww -z "$SRC/$page" 2>&1)
    [[ -z $out ]] || bad "groff warnings in $page:
$out"
  done
else
  echo "note: no groff"
fi
if command -v mandoc >/dev/null; then
  ran=$((ran + 1))
  for page in faild/doc/faild.8 faild/doc/faildctl.8 faild/doc/faild.conf.5; do
    out=$(mandoc -Tlint -W warning "$SRC/$page" 2>&1)
    [[ -z $out ]] || bad "mandoc -Tlint warnings in $page:
$out"
  done
else
  echo "note: no mandoc"
fi
# The documentation says what the code does: mutual rounds ACK every Nth INQ,
# N = ack_every in faild/core/round_plan.hpp, wherever the files name the rate.
ran=$((ran + 1))
n=$(sed -n 's/^inline constexpr std::uint32_t ack_every = \([0-9]*\);.*/\1/p' "$SRC/faild/core/round_plan.hpp")
if [[ -z $n ]]; then
  bad "no ack_every in faild/core/round_plan.hpp"
else
  mutual=$(sed -n '/^# Mutual rounds/,/^#mutual/p' "$SRC/conf/faild.conf" | tr '\n' ' ')
  [[ $mutual == *"every ${n}th"* ]] || bad "conf/faild.conf's mutual rounds do not say every ${n}th: $mutual"
  for f in README.md faild/doc/faild.8 faild/doc/faild.conf.5 conf/faild.conf; do
    stale=$(tr '\n' ' ' <"$SRC/$f" | grep -oE "ACK (only )?every [0-9]+th" | grep -v "every ${n}th")
    [[ -z $stale ]] || bad "$f says '$stale' (mutual rounds ACK every ${n}th)"
  done
fi
# The unit: Type=notify with a watchdog, only CAP_NET_ADMIN and CAP_NET_RAW
# (plus CAP_SYS_NICE and CAP_IPC_LOCK for the loop's real-time class and
# locked memory, with RestrictRealtime=no), and an exposure score of systemd-analyze security of at most 3.0 (it was
# 4.0 before the system call filter, MemoryDenyWriteExecute=, ProtectProc=).
ran=$((ran + 1))
unit=$SRC/conf/faild.service
for line in Type=notify NotifyAccess=main WatchdogSec=10 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_NICE CAP_IPC_LOCK' \
  RestrictRealtime=no LimitRTPRIO=10 MemoryDenyWriteExecute=yes ProtectProc=invisible LogsDirectory=faild; do
  grep -qx "$line" "$unit" || bad "the unit lacks $line"
done
grep -q '^SystemCallFilter=' "$unit" || bad "the unit has no SystemCallFilter="
if command -v systemd-analyze >/dev/null; then
  ran=$((ran + 1))
  score=$(systemd-analyze security --offline=yes "$unit" 2>&1 | sed -n 's/.*Overall exposure level for faild.service: \([0-9.]*\).*/\1/p')
  if [[ -z $score ]]; then
    bad "systemd-analyze security gave no score: $(systemd-analyze security --offline=yes "$unit" 2>&1 | tail -n3)"
  else
    echo "unit exposure: $score"
    awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' || bad "the unit's exposure level is $score (at most 3.0)"
  fi
else
  echo "note: no systemd-analyze (package systemd)"
fi
# A log rotation only reopens the log: the logrotate snippet sends SIGUSR1
# (SIGHUP would reload the configuration too); the unit's ExecReload and the
# init script's reload send SIGHUP.
ran=$((ran + 1))
post=$(sed -n '/postrotate/,/endscript/p' "$SRC/conf/logrotate.d/faild")
[[ $post == *"--signal=USR1"* && $post == *"kill -USR1"* ]] || bad "logrotate.d/faild does not send SIGUSR1: $post"
[[ $post == *HUP* ]] && bad "logrotate.d/faild sends SIGHUP (a reload at every rotation): $post"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$SRC/conf/faild.service" || bad "the unit's ExecReload is not SIGHUP"
grep -q 'kill -s HUP "$pid"' "$SRC/scripts/faild.init" || bad "the init script's reload does not send SIGHUP"
# The README: "Deploy on two hosts" before the reference, with what an
# operator needs; the benchmark last, after the operator material; in the
# options table every setup option before the tuning ones.
ran=$((ran + 1))
readme=$SRC/README.md
line_of() { grep -n -m1 -x -- "$1" "$readme" | cut -d: -f1; }
deploy=$(line_of '## Deploy on two hosts') running=$(line_of '## Running faild') bench=$(line_of '## Benchmark')
if [[ -z $deploy || -z $running || $deploy -gt $running ]]; then
  bad "README: no '## Deploy on two hosts' before '## Running faild'"
else
  section=$(sed -n "${deploy},$((running - 1))p" "$readme")
  for want in faild.conf key-file faild.nft 'faildctl status' 'ip route show proto faild' Troubleshooting \
    7793 ff02::fa1d 'TTL' 'requestor = yes' 'no_peer_heard'; do
    [[ $section == *"$want"* ]] || bad "README's deploy section does not mention $want"
  done
fi
last=$(grep '^## ' "$readme" | tail -n1)
[[ $last == '## Benchmark' && -n $bench ]] || bad "README: the benchmark is not the last section (last: $last)"
rows=$(grep -n '^| `' "$readme" | cut -d: -f1,2)
first_tuning=$(grep -E '`--(no-mutual|no-align-rounds|no-unicast-inq|no-fast-confirm|fast-confirm-floor|damping)`' <<<"$rows" | head -n1 | cut -d: -f1)
last_setup=$(grep -E '`(-r|-i IF\[,IF...\]|-k KEYFILE|-l LOGFILE|-c FILE|-x PROGRAM)`' <<<"$rows" | tail -n1 | cut -d: -f1)
[[ -n $first_tuning && -n $last_setup ]] && ((first_tuning > last_setup)) ||
  bad "README's options table puts tuning options (line $first_tuning) before setup ones (line $last_setup)"
# The notify hook example: what it says for a failover (no logger on the
# PATH: it prints, and faild would log that).
ran=$((ran + 1))
out=$(env -i PATH=/nonexistent FAILD_ROUTE="192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1" \
  /bin/sh "$SRC/scripts/faild-notify.example" failover h2 eth0 v4 2>&1)
[[ $out == "faild: h2 unreachable on eth0 (v4); traffic now goes 192.0.2.2/32 via 198.51.100.2 dev eth1 src 192.0.2.1" ]] ||
  bad "faild-notify.example on failover said: $out"
out=$(env -i PATH=/nonexistent /bin/sh "$SRC/scripts/faild-notify.example" notice_sent h2 eth0 v4 2>&1)
[[ -z $out ]] || bad "faild-notify.example spoke on an event it does not know: $out"
((ran)) || { echo "SKIP: none of shellcheck, busybox, groff is installed"; exit 77; }
echo "lint: $ran tools, $fails failed"
((fails == 0))
