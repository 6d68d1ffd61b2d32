#!/usr/bin/env bash
# faild links no fake backend (issue 22): no symbol of platform/fake in the
# program, while the unit tests, which do link it, show them (so the look
# is known to find them). --dry-run has the null table (platform/null/).
# Exit 0 pass, 1 fail, 77 without nm.
set -u
fail() { echo "FAIL: $*"; exit 1; }
command -v nm >/dev/null || { echo "SKIP: no nm"; exit 77; }
fake='faild::platform::fake_(route_table|network)'
symbols() { nm -C "$1" 2>/dev/null; }
[[ -n $(symbols "$UNIT_TESTS_BIN" | grep -E "$fake" | head -1) ]] ||
  fail "no fake symbol in the unit tests either: the look itself is broken"
found=$(symbols "$FAILD_BIN" | grep -E "$fake" | head -5)
[[ -z $found ]] || fail "faild links the fake backend:
$found"
[[ -n $(symbols "$FAILD_BIN" | grep -E 'faild::platform::null_route_table' | head -1) ]] ||
  fail "faild has no null route table for --dry-run"
echo PASS
