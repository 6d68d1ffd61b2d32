# shellcheck shell=bash
# Shared preamble and helpers of the namespace tests (test/netns/*.sh).
# Sourced, never run; it lives under lib/ so that test/CMakeLists.txt's
# glob netns/*.sh does not register it as a test.
#
# A test sets `set -u`, exports LAB (unique: a prefix and $$) and whatever
# LAB_FAMILY / LAB_LANS it needs, sources this file (which sources
# scripts/lab), then calls
#     netns_begin TMPNAME [BINARY...]
# which exits 77 where namespaces cannot be made, 1 when a BINARY is not
# executable, makes $DIR and arms the teardown: lab_down on every exit
# (also on Ctrl-C / SIGTERM), $DIR removed only once the test set PASSED=1,
# kept (and named on stderr) otherwise.
#
# ctest sets FAILD_BIN, FAILDCTL_BIN, UDPECHO_BIN, FAILD_SOURCE_DIR.
#
# Functions:
#   netns_begin TMPNAME [BIN...]   preamble (see above)
#   step MSG...                    progress line with the seconds since start
#   fail MSG...                    FAIL line, lab dump, tail of every file in
#                                  $DIR, exit 1 (netns_fail: the same, for a
#                                  test that wraps fail)
#   alive PID / daemons_alive      faild of h1 and h2 (DPID[h1], DPID[h2]) runs
#   start_faild HOST [ARG...]      faild -r -t 0.1 -f 3 -s 3 --node-id HOST
#                                  -l ${FAILD_LOG:-$DIR/HOST.log} ARG... in HOST,
#                                  its pid in DPID[HOST]
#   stop_faild HOST [any]          SIGTERM, exit within 15 s, with status 0
#                                  (any: whatever status)
#   stop_daemons                   stop_faild h1 and h2
#   paths_up [LOG_H1 LOG_H2]       every path of NETNS_LANS x NETNS_FAMS up in
#                                  both logs (or a daemon died: checked after)
#   wait_paths_up                  paths_up within 30 s, both daemons alive
#   nlines LOG                     lines in LOG (0 if none)
#   has_since LOG N EVENT KEY=ERE...    such an event after line N of LOG
#   lines_since LOG N EVENT KEY=ERE...  those lines
#   first_event LOG EVENT KEY=ERE...    the first such line, from event= on
#   first_event_since LOG N EVENT KEY=ERE...
#   routes_are HOST REGEX          HOST's faild route set is one route
#                                  matching REGEX (H1_ROUTE, H2_ROUTE: the
#                                  IPv4 lab's failover routes for a cut of
#                                  h2's LAN A)
#   routes_empty HOST / both_empty / both_failed_over / show_routes
#   start_server                   udpecho serve in h2 (SPID)
#   start_client NAME TO           udpecho client h1 -> TO, 1 datagram/ms,
#                                  $DIR/NAME.out and NAME.stats (CPID)
#   received STATS / received_at_least STATS N
#   port_packets HOST LAN          rx+tx packets of its switch port
#   check_back_on_lan_a FLOWS      over 1 s, h2's LAN A port carries the
#                                  echo flows and its LAN B port does not
#   cut_and_repair_a AFTER         a silent cut of h2's LAN A fails both
#                                  over (IPv4 lab), the repair switches both
#                                  back; AFTER ends the failure message
#   netns_pass                     stop_daemons, no faild route left, PASS,
#                                  exit 0
# shellcheck disable=SC2034  # variables for the tests that source this

SRC=${FAILD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
FAILD=${FAILD_BIN:-$SRC/build/faild}
FAILDCTL=${FAILDCTL_BIN:-$SRC/build/faildctl}
UDPECHO=${UDPECHO_BIN:-$SRC/build/udpecho}
# shellcheck source-path=SCRIPTDIR/../../.. source=scripts/lab
source "$SRC/scripts/lab" || exit 1

PASSED=0
CPID='' SPID=''
declare -A DPID

H1_ROUTE='^192\.0\.2\.2 via 198\.51\.100\.2 dev eth1( .*)? src 192\.0\.2\.1( |$)'
H2_ROUTE='^192\.0\.2\.1 via 198\.51\.100\.1 dev eth1( .*)? src 192\.0\.2\.2( |$)'

netns_begin() {  # TMPNAME [BINARY...]
  local name=$1 bin
  shift
  lab_check
  case $? in 0) ;; 77) exit 77 ;; *) exit 1 ;; esac
  for bin in "$@"; do
    [[ -x $bin ]] || { echo "FAIL: no executable $bin" >&2; exit 1; }
  done
  DIR=$(mktemp -d "/tmp/faild-$name.XXXXXX") || exit 1
  T_START=$(_lab_us)
  read -ra NETNS_FAMS <<<"$(lab_families)"
  NETNS_LANS=(eth0 eth1)
  [[ $(lab_lans) == 3 ]] && NETNS_LANS+=(eth2)
  L1=$DIR/h1.log L2=$DIR/h2.log
  trap netns_cleanup EXIT
  trap 'echo "interrupted" >&2; exit 130' INT TERM
}

netns_cleanup() {
  trap - EXIT INT TERM
  lab_down
  if ((PASSED)); then rm -rf "$DIR"; else echo "logs kept in $DIR" >&2; fi
}

step() { printf '[%7.3f] %s\n' "$(awk -v n="$(_lab_us)" -v s="$T_START" 'BEGIN { print (n - s) / 1e6 }')" "$*"; }

fail() { netns_fail "$@"; }
netns_fail() {
  echo "FAIL: $*" >&2
  {
    lab_dump
    local f
    for f in "$DIR"/*; do
      [[ -f $f ]] || continue
      echo "===== $f"
      tail -n 200 "$f"
    done
  } >&2
  exit 1
}

# ------------------------------------------------------------ daemons ---

alive() { _lab_alive "$1"; }
daemons_alive() { alive "${DPID[h1]}" && alive "${DPID[h2]}"; }

start_faild() {  # HOST [ARG...]; FAILD_LOG=... for another log than $DIR/HOST.log
  local host=$1 log=${FAILD_LOG:-$DIR/$1.log}
  shift
  lab_spawn "$host" "${log%.log}.out" "$FAILD" -r -t 0.1 -f 3 -s 3 --node-id "$host" -l "$log" "$@" ||
    fail "cannot start faild in $host"
  DPID[$host]=$LAB_PID
}

stop_faild() {  # HOST [any]: SIGTERM, must exit (with 0 unless "any") within 15 s
  local rc
  lab_stop "${DPID[$1]}" TERM 15
  rc=$?
  ((rc == 124)) && fail "$1's faild did not exit within 15 s of SIGTERM"
  [[ ${2:-} == any ]] || ((rc == 0)) || fail "$1's faild exited with status $rc on SIGTERM (expected 0)"
}
stop_daemons() { stop_faild h1 && stop_faild h2; }

paths_up() {  # [LOG_H1 LOG_H2]
  local l1=${1:-$L1} l2=${2:-$L2} lan fam
  daemons_alive || return 0
  for lan in "${NETNS_LANS[@]}"; do
    for fam in "${NETNS_FAMS[@]}"; do
      lab_log_has "$l1" path_up peer=h2 "lan=$lan" "family=$fam" || return 1
      lab_log_has "$l2" path_up peer=h1 "lan=$lan" "family=$fam" || return 1
    done
  done
}
wait_paths_up() {
  lab_wait 30 paths_up || fail "paths did not come up within 30 s"
  daemons_alive || fail "a daemon exited"
}

# --------------------------------------------------------------- logs ---

nlines() { wc -l <"$1" 2>/dev/null || echo 0; }
has_since() {
  local log=$1 n=$2 tmp=$DIR/.since rc
  shift 2
  tail -n +"$((n + 1))" "$log" >"$tmp"
  lab_log_has "$tmp" "$@"
  rc=$?
  rm -f "$tmp"
  return "$rc"
}
lines_since() {
  local log=$1 n=$2 tmp=$DIR/.since
  shift 2
  tail -n +"$((n + 1))" "$log" >"$tmp"
  lab_log_lines "$tmp" "$@"
  rm -f "$tmp"
}
first_event() { lab_log_lines "$@" | head -n1 | sed 's/^.*event=/event=/'; }
first_event_since() { lines_since "$@" | head -n1 | sed 's/^.*event=/event=/'; }

# ------------------------------------------------------------- routes ---

routes_are() {  # HOST REGEX
  local r
  r=$(lab_routes "$1") || return 1
  [[ $(grep -c . <<<"$r") -eq 1 ]] && grep -qE -- "$2" <<<"$r"
}
routes_empty() { [[ -z $(lab_routes "$1") ]]; }
both_empty() { routes_empty h1 && routes_empty h2; }
both_failed_over() { routes_are h1 "$H1_ROUTE" && routes_are h2 "$H2_ROUTE"; }
show_routes() {
  local h
  for h in h1 h2; do lab_routes "$h" | sed "s/^/        $h: /"; done
}

# --------------------------------------------------------- echo flows ---

start_server() {
  lab_spawn h2 "$DIR/server.out" "$UDPECHO" serve || fail "udpecho serve"
  SPID=$LAB_PID
  lab_wait 10 grep -q listening "$DIR/server.out" || fail "udpecho serve did not start"
}
start_client() {  # NAME TO
  lab_spawn h1 "$DIR/$1.out" "$UDPECHO" client --to "$2" --interval-ms 1 \
    --duration 240 --stats "$DIR/$1.stats" || fail "udpecho client $1 (h1 -> $2)"
  CPID=$LAB_PID
}
received() { sed -n 's/.* received=\([0-9]*\).*/\1/p' "$1" 2>/dev/null; }
received_at_least() { local r; r=$(received "$1"); [[ -n $r ]] && ((r >= $2)); }

port_packets() {  # HOST LAN -> rx+tx packets of its switch port
  local c
  c=$(lab_counters "$1" "$2") || return 1
  echo $((${c% *} + ${c#* }))
}

check_back_on_lan_a() {  # FLOWS: 500 packets/s per flow on h2's LAN A port, < 200 on LAN B
  local min=$((500 * $1)) a0 b0 a1 b1 da db
  a0=$(port_packets h2 a) b0=$(port_packets h2 b)
  sleep 1  # a measurement window, not a wait for a condition
  a1=$(port_packets h2 a) b1=$(port_packets h2 b)
  da=$((a1 - a0)) db=$((b1 - b0))
  step "switch port counters over 1 s: h2a +$da packets, h2b +$db packets"
  ((da >= min)) || fail "the echo traffic is not back on LAN A (h2a grew by $da < $min packets in 1 s)"
  ((db < 200)) || fail "the echo traffic still uses LAN B (h2b grew by $db >= 200 packets in 1 s)"
}

cut_and_repair_a() {  # AFTER
  lab_fault h2 a silent || fail "lab_fault"
  lab_wait 10 both_failed_over || { show_routes; fail "no failover $1"; }
  step "silent cut of h2's LAN A: both failed over"
  lab_restore h2 a || fail "lab_restore"
  lab_wait 20 both_empty || { show_routes; fail "faild routes not removed within 20 s of the repair"; }
  step "switched back"
}

netns_pass() {
  stop_daemons
  both_empty || { show_routes; fail "faild routes left at the end"; }
  PASSED=1
  step "PASS"
  exit 0
}
