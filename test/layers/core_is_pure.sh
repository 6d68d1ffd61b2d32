#!/usr/bin/env bash
# faild/core is the pure layer (issue 22): it includes nothing from
# Boost.Asio, libnl, platform/ (any backend) or OS socket headers, and reads
# no clock: time comes in as an argument. The same look, run over
# faild/daemon, must find each kind there, so a broken pattern cannot pass.
# Exit 0 pass, 1 fail.
set -u
src=${FAILD_SOURCE_DIR:?}
fail() { echo "FAIL: $*"; exit 1; }
declare -A forbidden=(
  [asio]='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]boost/asio'
  [libnl]='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]netlink/'
  [platform]='^[[:space:]]*#[[:space:]]*include[[:space:]]*"platform/'
  [clock]='(steady_clock|system_clock|high_resolution_clock)::now|clock_gettime|gettimeofday'
)
# Where each kind is known to be (the look's own check).
declare -A known=(
  [asio]="$src/faild/daemon"
  [libnl]="$src/platform/linux"
  [platform]="$src/faild/daemon"
  [clock]="$src/faild/daemon $src/platform/linux"
)
for kind in "${!forbidden[@]}"; do
  # shellcheck disable=SC2086
  grep -rEq -- "${forbidden[$kind]}" ${known[$kind]} ||
    fail "the look for $kind finds nothing in ${known[$kind]} either: the pattern is broken"
  found=$(grep -rnE -- "${forbidden[$kind]}" "$src/faild/core")
  [[ -z $found ]] || fail "faild/core uses $kind:
$found"
done
echo PASS
