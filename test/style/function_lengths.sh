#!/usr/bin/env bash
# scripts/function-lengths, first on a file made to trip it (so the check
# is known to see what it must: a function one line over the limit, and
# not what it must not: braces in comments, strings, raw strings, macros,
# digit separators, initializer lists), then on the code the limit holds
# for (issues 22 and 23: all of faild/, and platform/). With `self` only
# the first part runs.
# Exit 0 pass, 1 fail.
set -u
top=${FAILD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
check=$top/scripts/function-lengths
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# body N: N lines of statements.
body() { for ((k = 0; k < $1; ++k)); do echo "    x += $k;  // { not a brace"; done; }
{
  echo '#include <string>'
  echo '#define BLOCK(x) { x; }'
  echo 'namespace demo {'
  echo 'const char* text = "{ { {";'
  echo 'const char* raw = R"x({ "} {" )x";'
  echo 'int fits() {'            # 1 + 58 + 1 = 60 lines
  body 58
  echo '}'
  echo 'int too_long(int a,'     # 2 + 58 + 1 = 61 lines
  echo '             int b) {'
  body 58
  echo '}'
  echo 'struct widget {'
  echo "    widget() : a_{1}, b_(30'000) {"   # 1 + 59 + 1 = 61 lines
  body 59
  echo '    }'
  echo '    int a_, b_;'
  echo "    char c = '{';"
  echo '    int member() const noexcept {'    # 1 + 57 + 1 = 59 lines
  echo '        auto f = [&](int v) { return v + 1; };'
  body 56
  echo '    }'
  echo '};'
  echo 'template <class T>'
  echo 'auto later(T t) -> T {'    # 2 + 59 + 1 = 62 lines
  body 59
  echo '}'
  echo '/* } */ int tail() { return 1; }'
  echo '}  // namespace demo'
} >"$tmp/demo.cpp"
out=$("$check" "$tmp/demo.cpp" 2>&1)
rc=$?
expected="$tmp/demo.cpp:66: too_long: 61 lines
$tmp/demo.cpp:128: widget: 61 lines
$tmp/demo.cpp:251: later: 62 lines
function-lengths: 3 function(s) longer than 60 lines"
[[ $rc == 1 ]] || fail "the checker passed a file with functions over 60 lines (exit $rc): $out"
[[ $out == "$expected" ]] || fail "unexpected findings:
$out
expected:
$expected"
all=$("$check" --all "$tmp/demo.cpp" 2>/dev/null | sed 's|.*demo.cpp:||')
grep -qx '6: fits: 60 lines' <<<"$all" || fail "the 60-line function was not measured as 60: $all"
grep -qx '[0-9]*: member: 59 lines' <<<"$all" || fail "the member function was not measured as 59: $all"
grep -qx '[0-9]*: tail: 1 lines' <<<"$all" || fail "a comment's brace hid a function: $all"
"$check" --max 62 "$tmp/demo.cpp" >/dev/null || fail "--max 62 should pass the file"
echo "the checker sees what it must"

[[ ${1:-} == self ]] && { echo PASS; exit 0; }
"$check" || fail "functions longer than 60 lines (see above): split them"
echo PASS
