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
((ran)) || { echo "SKIP: none of shellcheck, busybox, groff is installed"; exit 77; }
echo "lint: $ran tools, $fails failed"
((fails == 0))
