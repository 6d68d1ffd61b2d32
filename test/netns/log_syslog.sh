#!/usr/bin/env bash
# The log reaches syslog and the journal with each event's priority:
# - `-l syslog` (log = syslog) goes through Boost.Log's syslog backend to
#   /dev/log, facility daemon, ident faild: a real Unix datagram socket of
#   the test is bind-mounted on /dev/log in faild's own mount namespace
#   (the machine's /dev is never touched). An info line arrives as <30>, a
#   warning as <28>; no file named "syslog" is created.
# - On stderr under systemd (JOURNAL_STREAM names stderr's device:inode),
#   every line starts with its priority, <6> for info, <4> for a warning,
#   which the journal takes as the line's priority; without JOURNAL_STREAM
#   (or when it names another file) the lines are as before.
# Exit 0 pass, 1 fail, 77 when namespaces cannot be made.
set -u
export LAB=fsys$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin log-syslog "$FAILD"
command -v python3 >/dev/null || fail "python3 is missing (scripts/setup installs it)"
command -v unshare >/dev/null || fail "unshare is missing (util-linux)"
LISTEN=$SRC/test/tools/dgram_listen.py

lab_up 2 || fail "lab_up"
: >"$DIR/empty.conf"

# The listener runs in h1 (a path socket works across namespaces anyway).
lab_spawn h1 "$DIR/listener.out" python3 "$LISTEN" "$DIR/devlog.sock" "$DIR/syslog.got" 120 || fail "listener"
lab_wait 10 test -S "$DIR/devlog.sock" || fail "the syslog listener did not bind"

# faild with /dev/log replaced in a private mount namespace of its own: a
# small tmpfs on /dev with the few device nodes faild needs, and the test's
# socket bound on /dev/log. Run from $DIR, where a "syslog" file would show.
mkdir -p "$DIR/olddev" "$DIR/cwd"
# shellcheck disable=SC2016  # expanded by the inner bash
DEVLOG='set -e
  mount --bind /dev "$1/olddev"
  mount -t tmpfs -o mode=0755,size=64k faild-test-dev /dev
  for n in null zero full random urandom; do touch "/dev/$n"; mount --bind "$1/olddev/$n" "/dev/$n"; done
  touch /dev/log
  mount --bind "$1/devlog.sock" /dev/log
  umount -l "$1/olddev"
  cd "$1/cwd"
  shift
  exec "$@"'
lab_spawn h1 "$DIR/h1.out" unshare -m --propagation private bash -c "$DEVLOG" _ "$DIR" \
  "$FAILD" -r -t 0.1 --node-id h1 -c "$DIR/empty.conf" -i eth0 -l syslog --control-socket "$DIR/h1.control" ||
  fail "start h1"
DPID[h1]=$LAB_PID

got_has() { grep -qE "$1" "$DIR/syslog.got" 2>/dev/null; }
lab_wait 10 got_has '^<30>.*faild\[[0-9]+\]: level=info module=daemon event=start .*node_id=h1 .*log=syslog' ||
  fail "no start line at priority daemon.info (<30>) on the syslog socket"
# One LAN only: faild warns that there is nothing to fail over to.
lab_wait 10 got_has '^<28>.*faild\[[0-9]+\]: level=warning module=daemon event=single_lan' ||
  fail "no single_lan warning at priority daemon.warning (<28>)"
got_has '^<30>.*event=single_lan' && fail "a warning went out at priority info"
step "syslog: $(grep -c . "$DIR/syslog.got") lines, e.g. $(grep -m1 single_lan "$DIR/syslog.got")"
[[ -e $DIR/cwd/syslog ]] && fail "log = syslog created a file named syslog"
stop_faild h1

# stderr to the journal: JOURNAL_STREAM names the file stderr goes to.
journal_run() {  # OUT JOURNAL_STREAM_VALUE: faild for a moment with stderr to OUT
  : >"$1"
  local stream=$2
  [[ $stream == self ]] && stream=$(stat -c '%d:%i' "$1")
  lab_spawn h1 "$1" env JOURNAL_STREAM="$stream" "$FAILD" -r -t 0.1 --node-id h1 -c "$DIR/empty.conf" -i eth0 \
    --control-socket "$DIR/h1.control" || fail "start h1 (stderr)"
  DPID[h1]=$LAB_PID
  lab_wait 10 grep -q 'event=single_lan' "$1" || fail "no single_lan line in $1"
  stop_faild h1
}
journal_run "$DIR/journal.out" self
grep -qE '^<6>time=[^ ]+ level=info module=daemon event=start ' "$DIR/journal.out" ||
  fail "the start line on the journal's stream does not begin with <6>"
grep -qE '^<4>time=[^ ]+ level=warning module=daemon event=single_lan' "$DIR/journal.out" ||
  fail "the warning on the journal's stream does not begin with <4>"
grep -qvE '^<[0-9]>time=' "$DIR/journal.out" && fail "a line on the journal's stream has no priority: $(grep -vE '^<[0-9]>' "$DIR/journal.out" | head -n1)"
step "journal: $(grep -m1 single_lan "$DIR/journal.out")"
journal_run "$DIR/plain.out" 1:1
grep -qE '^time=[^ ]+ level=info module=daemon event=start ' "$DIR/plain.out" ||
  fail "with JOURNAL_STREAM naming another file, the lines changed: $(head -n1 "$DIR/plain.out")"
PASSED=1
step "PASS"
