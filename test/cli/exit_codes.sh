#!/usr/bin/env bash
# The command-line contract, checked on the real binary: every bad value is
# one line on stderr naming it and exit status 2, before anything on the
# network is touched; missing privileges exit 1 naming the capabilities.
set -u
FAILD=${FAILD_BIN:?FAILD_BIN not set}
fails=0
check() {  # check WANT_STATUS WANT_TEXT -- ARGS...
    local want=$1 text=$2; shift 3
    local err status
    err=$("$FAILD" "$@" 2>&1 >/dev/null); status=$?
    if [[ $status != "$want" || $err != *"$text"* || $(printf '%s\n' "$err" | wc -l) != 1 ]]; then
        echo "FAIL: faild $* -> status $status, stderr: $err (want $want and '$text' on one line)"
        fails=$((fails + 1))
    else
        echo "ok: faild $* -> $status: $err"
    fi
}

check 2 "-t '0'" -- -t 0
check 2 "-t 'abc'" -- -t abc
check 2 "-t '0.001'" -- -r -t 0.001
check 2 "-f '0'" -- -f 0
check 2 "-s 'x'" -- -s x
check 2 "-p '70000'" -- -p 70000
check 2 "'/nonexistent-dir/faild.log'" -- -l /nonexistent-dir/faild.log
check 2 "'--no-such-option'" -- --no-such-option
check 2 "unexpected argument 'stray'" -- -r stray

# --check-config checks what a start checks: the key file, the notify
# program, the log; a missing interface is only a warning. Each case: the
# exit status and a line on stderr that names the problem.
TMP=$(mktemp -d /tmp/faild-cli.XXXXXX) || exit 1
: >"$TMP/empty.conf"
printf '%s\n' 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff >"$TMP/key"
chmod 600 "$TMP/key"
cp "$TMP/key" "$TMP/key.open" && chmod 644 "$TMP/key.open"
echo 0011 >"$TMP/key.short" && chmod 600 "$TMP/key.short"
echo 'not a key at all' >"$TMP/key.bad" && chmod 600 "$TMP/key.bad"
printf '#!/bin/sh\nexit 0\n' >"$TMP/hook" && chmod 755 "$TMP/hook"
printf '#!/bin/sh\nexit 0\n' >"$TMP/hook.noexec" && chmod 644 "$TMP/hook.noexec"
cc() {  # cc WANT_STATUS WANT_STDERR_TEXT ARGS...: faild --check-config -c empty.conf ARGS...
    local want=$1 text=$2 err status
    shift 2
    err=$("$FAILD" --check-config -c "$TMP/empty.conf" "$@" 2>&1 >/dev/null); status=$?
    if [[ $status != "$want" || $err != *"$text"* ]]; then
        echo "FAIL: faild --check-config $* -> status $status, stderr: $err (want $want and '$text')"
        fails=$((fails + 1))
    else
        echo "ok: faild --check-config $* -> $status${err:+: $err}"
    fi
}
cc 0 "" -k "$TMP/key" -x "$TMP/hook" -l "$TMP/faild.log"
[[ -e $TMP/faild.log ]] && { echo "FAIL: --check-config created the log file"; fails=$((fails + 1)); }
cc 0 "" -l syslog
cc 2 "key file '$TMP/key.open' is accessible by group or others" -k "$TMP/key.open"
cc 2 "key too short" -k "$TMP/key.short"
cc 2 "hex digits only" -k "$TMP/key.bad"
cc 2 "key file '$TMP/nokey' does not exist" -k "$TMP/nokey"
cc 2 "notify program '$TMP/nohook' does not exist" -x "$TMP/nohook"
cc 2 "notify program '$TMP/hook.noexec' is not executable" -x "$TMP/hook.noexec"
cc 2 "directory '$TMP/nodir' does not exist" -l "$TMP/nodir/faild.log"
cc 0 "warning: interface 'faild-no-such0' does not exist" -i faild-no-such0
# What --check-config refuses, a start refuses too, with the same words and
# status 2, before privileges or the network are looked at. Run without
# capabilities: a faild that did not refuse stops at exit 1 (missing
# privileges) instead of starting in the machine's own namespace.
unpriv=()
[[ $EUID -eq 0 ]] && command -v setpriv >/dev/null &&
    unpriv=(setpriv --inh-caps=-all --bounding-set=-all)
start_refuses() {  # start_refuses TEXT ARGS...
    local text=$1 err status
    shift
    err=$("${unpriv[@]}" "$FAILD" -c "$TMP/empty.conf" "$@" 2>&1 >/dev/null); status=$?
    if [[ $status != 2 || $err != *"$text"* ]]; then
        echo "FAIL: faild $* (no capabilities) -> status $status, stderr: $err (want 2 and '$text')"
        fails=$((fails + 1))
    else
        echo "ok: faild $* -> 2: $err"
    fi
}
start_refuses "notify program '$TMP/nohook' does not exist" -x "$TMP/nohook"
start_refuses "key too short" -k "$TMP/key.short"
# Configuration files that are no files (issue 20): refused at once, never
# read without end nor waited on. --check-config: nothing would run even if
# one were taken. Bounded: 5 s and 256 MiB of address space each (not under
# AddressSanitizer, whose shadow memory alone is larger).
cfgdir=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP" "$cfgdir"' EXIT
mkfifo "$cfgdir/fifo.conf"
mkdir "$cfgdir/dir.conf"
check_file() {  # check_file PATH WANT_TEXT
    local err status
    err=$( ([[ -n ${ASAN_OPTIONS:-} ]] || ulimit -v 262144; timeout 5 "$FAILD" --check-config -c "$1") 2>&1 >/dev/null)
    status=$?
    if [[ $status != 2 || $err != *"$2"* || $(printf '%s\n' "$err" | wc -l) != 1 ]]; then
        echo "FAIL: faild --check-config -c $1 -> status $status, stderr: ${err:0:300} (want 2 and '$2' on one line)"
        fails=$((fails + 1))
    else
        echo "ok: faild --check-config -c $1 -> $status: $err"
    fi
}
check_file "$cfgdir/dir.conf" "-c '$cfgdir/dir.conf': a directory, not a regular file"
check_file "$cfgdir/fifo.conf" "-c '$cfgdir/fifo.conf': a FIFO, not a regular file"
check_file /dev/zero "-c '/dev/zero': a character device, not a regular file"
printf 'interval = 0.1\nlog = /tmp/faild\0.log\n' >"$cfgdir/nul.conf"
check_file "$cfgdir/nul.conf" "$cfgdir/nul.conf:2: a NUL byte: not a text file"
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$cfgdir/big.conf"
check_file "$cfgdir/big.conf" "-c '$cfgdir/big.conf': larger than 1 MiB"
printf 'interfaces = "eth0,eth1"\n' >"$cfgdir/quoted.conf"
if out=$(timeout 5 "$FAILD" --check-config -c "$cfgdir/quoted.conf" 2>&1) && grep -qx 'interfaces = eth0,eth1' <<<"$out"; then
    echo "ok: interfaces = \"eth0,eth1\" -> interfaces = eth0,eth1"
else
    echo "FAIL: interfaces = \"eth0,eth1\" -> $(grep -i interfaces <<<"$out")"; fails=$((fails + 1))
fi

"$FAILD" --version | grep -q '^faild [0-9]' || { echo "FAIL: --version"; fails=$((fails + 1)); }
"$FAILD" --help | grep -q '^Usage: faild \[-r\] \[-t SECONDS\] \[-f N\] \[-s N\] \[-p PORT\] \[-l LOGFILE\]' ||
    { echo "FAIL: --help"; fails=$((fails + 1)); }

if [[ $EUID -eq 0 ]] && command -v setpriv >/dev/null; then
    # Without capabilities (nobody, empty bounding set): exit 1, both named.
    err=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
          "$FAILD" -r 2>&1 >/dev/null); status=$?
    if [[ $status != 1 || $err != *CAP_NET_ADMIN* || $err != *CAP_NET_RAW* ]]; then
        echo "FAIL: unprivileged -> status $status: $err"; fails=$((fails + 1))
    else
        echo "ok: unprivileged -> 1: $err"
    fi

    # A bad value must not touch the routing table: a stale faild route in a
    # namespace of ours survives `faild -t 0`, and goes with a good start.
    ns="faild-cli-$$"
    trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TMP" "$cfgdir"' EXIT
    if ip netns add "$ns" 2>/dev/null &&
        ip -n "$ns" link add c0 type veth peer name c1 &&
        ip -n "$ns" addr add 192.0.2.1/24 dev c0 &&
        ip -n "$ns" link set c0 up && ip -n "$ns" link set c1 up &&
        ip -n "$ns" route add 192.0.2.99/32 via 192.0.2.2 dev c0 proto 250 &&
        [[ -n $(ip -n "$ns" route show proto 250) ]]; then
        ip netns exec "$ns" "$FAILD" -r -t 0 2>/dev/null
        if [[ -z $(ip -n "$ns" route show proto 250) ]]; then
            echo "FAIL: faild -t 0 removed a route"; fails=$((fails + 1))
        else
            echo "ok: faild -t 0 left the routing table alone"
        fi
    else
        echo "note: cannot set up a namespace; table check skipped"
    fi
else
    echo "note: not root; the privilege and table checks need root"
fi

echo "cli: $fails failed"
((fails == 0))
