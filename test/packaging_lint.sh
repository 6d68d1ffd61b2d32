#!/usr/bin/env bash
# The packaging files pass their linters: the init script is POSIX sh
# (shellcheck -s sh, and BusyBox sh parses it), the man pages format
# without a groff warning. Tools that are missing are skipped; with none
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
  for page in faild/faild.8 faild/faildctl.8 faild/faild.conf.5; do
    out=$(groff -man -Tutf8 -ww -z "$SRC/$page" 2>&1)
    [[ -z $out ]] || bad "groff warnings in $page:
$out"
  done
else
  echo "note: no groff"
fi
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
