#!/usr/bin/env bash
# scripts/faild.init drives a real faild in a lab namespace: under BusyBox sh
# with BusyBox's start-stop-daemon and, where they are installed, with
# Debian's start-stop-daemon (under BusyBox sh and under dash). Each round:
# start -> status 0 and the pid file names a faild running in h1's
# namespace; a second start changes nothing; with a failover route in
# place, reload -> event=log_reopened; stop returns only after faild has
# removed its routes -> status 3, process and pid file gone, no proto 250
# route; start makes the log directory (LOGDIR). Also: a pid file naming
# some other process is not "running"; a configuration error stops start
# (exit 6) with faild's message.
# Exit 0 pass, 1 fail, 77 when busybox or namespaces are unavailable.
set -u
BUSYBOX=$(command -v busybox) || { echo "SKIP: busybox is not installed (scripts/setup installs it)"; exit 77; }
export LAB=finit$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin init "$FAILD"
INIT=$SRC/scripts/faild.init
ROUND=setup
fail() { netns_fail "[$ROUND] $*"; }  # which round failed

lab_up 2 || fail "lab_up"
H1NS=$(stat -L -c %i "/run/netns/$LAB-h1") || fail "no h1 namespace"
LOG=$DIR/faild.log
: >"$DIR/empty.conf"   # -c: the machine's own /etc/faild is none of this test's business
cat >"$DIR/defaults" <<EOF
# FAILD_OPTS for the init script under test
FAILD_OPTS="-r -t 0.1 -f 3 -s 3 -l $LOG --node-id h1 -c $DIR/empty.conf --control-socket $DIR/run/control"
EOF
lab_spawn h2 "$DIR/h2.out" "$FAILD" -r -t 0.1 -f 3 -s 3 --node-id h2 -c "$DIR/empty.conf" \
  --control-socket "$DIR/h2.control" || fail "start h2"

SYSPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
{ mkdir "$DIR/bb" && ln -s "$BUSYBOX" "$DIR/bb/start-stop-daemon"; } || fail "busybox link"

SH=()
SSDPATH=
OUT=
DEFS=$DIR/defaults
# init ACTION: run the init script in h1 with this round's shell and
# start-stop-daemon; its output in $OUT, its status returned.
init() {
  OUT=$(lab_exec h1 env PATH="$SSDPATH" DAEMON="$FAILD" PIDFILE="$DIR/faild.pid" DEFAULTS="$DEFS" \
    RUNDIR="$DIR/run" LOGDIR="$DIR/logdir" STOP_TIMEOUT=20 "${SH[@]}" "$INIT" "$1" 2>&1)
}
expect() {  # expect STATUS ACTION
  local want=$1 rc
  init "$2"; rc=$?
  echo "  $2 -> $rc: $OUT"
  ((rc == want)) || fail "'$2' exited $rc, want $want: $OUT"
}
pidfile_pid() { local p; read -r p <"$DIR/faild.pid" 2>/dev/null && [[ $p =~ ^[0-9]+$ ]] && echo "$p"; }
faild_in_h1() {  # faild processes (alive, not zombies) in h1's namespace
  local p
  for p in $(ip netns pids "$LAB-h1" 2>/dev/null); do
    _lab_alive "$p" && [[ $(cat "/proc/$p/comm" 2>/dev/null) == "${FAILD##*/}" ]] && echo "$p"
  done
}
newlog() { tail -n +"$((MARK + 1))" "$LOG" 2>/dev/null; }
newlog_has() { newlog | grep -qE "$1"; }
has_routes() { [[ -n $(lab_routes h1) ]]; }

round() {  # round LABEL: SH and SSDPATH set
  ROUND=$1
  echo "== $ROUND"
  MARK=$( [[ -f $LOG ]] && wc -l <"$LOG" || echo 0)
  expect 3 status
  expect 0 start
  local pid
  pid=$(pidfile_pid) || fail "no pid in the pid file after start"
  [[ $(stat -c %a "$DIR/logdir" 2>/dev/null) == 750 ]] || fail "start did not make LOGDIR (mode 750)"
  _lab_alive "$pid" || fail "pid $pid from the pid file is not running"
  [[ $(cat "/proc/$pid/comm") == "${FAILD##*/}" ]] || fail "pid $pid is $(cat "/proc/$pid/comm"), not faild"
  [[ $(stat -L -c %i "/proc/$pid/ns/net") == "$H1NS" ]] || fail "pid $pid is not in h1's namespace"
  expect 0 status
  expect 0 start
  [[ $OUT == *"already running"* ]] || fail "a second start did not say it runs already"
  [[ $(pidfile_pid) == "$pid" && $(faild_in_h1) == "$pid" ]] || fail "a second start changed something: $(faild_in_h1)"

  lab_wait 10 newlog_has 'event=path_up peer=h2 lan=eth0' || fail "no path to h2 on eth0"
  lab_wait 10 newlog_has 'event=path_up peer=h2 lan=eth1' || fail "no path to h2 on eth1"
  lab_fault h2 a silent || fail "fault"
  lab_wait 10 has_routes || fail "no failover route on h1"

  expect 0 reload
  lab_wait 10 newlog_has 'event=log_reopened' || fail "no event=log_reopened after reload"
  _lab_alive "$pid" || fail "faild died on reload"

  expect 0 stop
  # No waiting here: stop returns after faild has exited, routes removed.
  routes_empty h1 || fail "stop returned with faild routes left: $(lab_routes h1)"
  _lab_alive "$pid" && fail "pid $pid still runs after stop"
  [[ -e $DIR/faild.pid ]] && fail "the pid file is left after stop"
  [[ -z $(faild_in_h1) ]] || fail "faild still runs in h1: $(faild_in_h1)"
  newlog_has 'event=stop signal=SIGTERM' || fail "no event=stop signal=SIGTERM in the log"
  expect 3 status
  expect 0 stop   # stopping what does not run is fine (LSB)

  lab_restore h2 a || fail "restore"
}

SH=("$BUSYBOX" sh)
SSDPATH=$DIR/bb:$SYSPATH
lab_exec h1 env PATH="$SSDPATH" start-stop-daemon --help 2>&1 | grep -q BusyBox ||
  fail "BusyBox's start-stop-daemon is not the one found"
round "busybox sh, busybox start-stop-daemon"

# The pid file names something else (this shell) or a pid that is gone:
# not running, and status says the pid file is stale.
ROUND="stale pid file"
echo "== $ROUND"
echo $$ >"$DIR/faild.pid"
expect 1 status
rm -f "$DIR/faild.pid"

# A configuration error is shown by start itself (file:line), exit 6 (LSB:
# not configured), and nothing is started.
ROUND="bad configuration"
echo "== $ROUND"
printf 'requestor = yes\nnodeid = h1\n' >"$DIR/bad.conf"
echo "FAILD_OPTS=\"-c $DIR/bad.conf -l $LOG --control-socket $DIR/run/control\"" >"$DIR/bad-defaults"
DEFS=$DIR/bad-defaults
expect 6 start
[[ $OUT == *"bad.conf:2"* ]] || fail "start did not name the bad line: $OUT"
[[ -e $DIR/faild.pid || -n $(faild_in_h1) ]] && fail "start with a bad configuration started faild"
expect 3 status
DEFS=$DIR/defaults

ran=1
if PATH=$SYSPATH start-stop-daemon --version 2>/dev/null | grep -q Debian; then
  SSDPATH=$SYSPATH
  round "busybox sh, Debian start-stop-daemon"
  ran=$((ran + 1))
  if command -v dash >/dev/null; then
    SH=(dash)
    round "dash, Debian start-stop-daemon"
    ran=$((ran + 1))
  fi
else
  echo "note: no Debian start-stop-daemon; BusyBox's only"
fi
PASSED=1
echo "PASS ($ran rounds)"
