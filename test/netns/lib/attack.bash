# shellcheck shell=bash
# Helpers of the attack tests (test/netns/attack_*.sh, issue 19: "no peer
# moves a route it has not proven"). Sourced after lib/common.bash, never
# run. A test calls
#     attack_begin TMPNAME [BINARY...]
# (exits 77 without python3, then netns_begin), records failed checks with
# `bad` and goes on, so one run shows every broken rule, and ends with
# attack_end (exit 1 naming every failed check, else netns_pass).
#
#   NEW_FAILD          1 when $FAILD --help mentions state-file (the faild of
#                      issue 19), else 0
#   WIRE               (--wire-version 1 --wire-version 2): crafted datagrams
#                      go out in both versions; an old faild drops version 2
#                      (bad_version), a new one may drop version 1
#   state_args HOST    --state-file $DIR/HOST.state for a faild that has it
#   make_key FILE      a key file (mode 0600) for -k
#   atk HOST NAME ARG...        the tool in HOST, foreground, output in
#                               $DIR/NAME.out (its status returned)
#   atk_spawn HOST NAME ARG...  the same in the background, pid in APID
#   stat_of FILE KEY            KEY's number in the tool's stats FILE
#   ctl_status HOST             faildctl status -X of HOST's faild
#   observe SECONDS FN [ARG...] samples the faild routes of $OBS_HOSTS (default
#                      h1 h2; `ip route`, every 20-50 ms) for SECONDS, and
#                      runs FN on each sample (routes_of HOST gives it; FN
#                      sets WHY and returns 1 for a violation): 1 if any
#                      sample violated, with OBS_FIRST (the first, with its
#                      time), OBS_BAD and OBS_N (violating and all samples);
#                      every distinct route set seen goes to $DIR/seen.txt
#   routes_of HOST     HOST's faild routes (the sample's, inside observe)
#   no_routes HOST...  FN for observe (and lab_wait): no faild route on them
#   log_routes_via LOG N ERE   route_added/replaced lines after line N with
#                      via= matching ERE
#   bad MSG            a failed check: printed now, listed by attack_end
#   attack_end         exit 1 with every failed check, or netns_pass
# shellcheck disable=SC2034  # variables for the tests that source this

BAD=()
APID=''
OBSERVING=0
OBS_HOSTS='h1 h2'
_OBS_FAM=v4
declare -A R SEEN

attack_begin() {  # TMPNAME [BINARY...]
  PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
    { echo "SKIP: python3 is not installed" >&2; exit 77; }
  TOOL=$SRC/test/tools/faild_attacker.py
  netns_begin "$@" "$TOOL"
  NEW_FAILD=0
  "$FAILD" --help 2>&1 | grep -q 'state-file' && NEW_FAILD=1
  WIRE=(--wire-version 1 --wire-version 2)
  step "faild under test: $FAILD ($("$FAILD" --version 2>/dev/null | head -n1);" \
    "$( ((NEW_FAILD)) && echo 'has --state-file' || echo 'no --state-file: the old faild')"")"
}

state_args() { ((NEW_FAILD)) && printf -- '--state-file\n%s\n' "$DIR/$1.state"; }

make_key() {
  ( umask 077; printf '%s\n' 8a6f0e3d2c1b4a5968778695a4b3c2d1e0f0e1d2c3b4a5968778695a4b3c2d1e >"$1" )
}

atk() {  # HOST NAME ARG...
  local host=$1 name=$2
  shift 2
  lab_exec "$host" "$PY" "$TOOL" "$@" >"$DIR/$name.out" 2>&1
}
atk_spawn() {  # HOST NAME ARG...
  local host=$1 name=$2
  shift 2
  lab_spawn "$host" "$DIR/$name.out" "$PY" "$TOOL" "$@" || fail "cannot start the tool ($name) in $host"
  APID=$LAB_PID
}
stat_of() { sed -n "s/.*\\b$2=\\([0-9]*\\).*/\\1/p" "$1" 2>/dev/null; }
stat_at_least() { local v; v=$(stat_of "$1" "$2"); [[ -n $v ]] && ((v >= $3)); }
tool_done() { grep -q 'done=1' "$1" 2>/dev/null; }

ctl_status() { lab_exec "$1" "$FAILDCTL" status -X 2>&1; }

# routes_of HOST: HOST's faild routes; inside observe, the sample's.
routes_of() {
  if ((OBSERVING)); then printf '%s' "${R[$1]-}"; return; fi
  lab_routes "$1"
}
_routes_into() {  # HOST: R[HOST], with one fork per `ip` call
  local ns=$_LAB_NS_PREFIX$1
  R[$1]=$(ip -N -n "$ns" -4 route show proto 250)
  [[ $_OBS_FAM == v4 ]] || R[$1]+=$'\n'$(ip -N -n "$ns" -6 route show proto 250)
  R[$1]=${R[$1]%$'\n'}
}

observe() {  # SECONDS FN [ARG...]
  local us t0 deadline r h
  us=$(awk -v s="$1" 'BEGIN { printf "%d", s * 1000000 }')
  shift
  _OBS_FAM=$(lab_family)
  _LAB_NS_PREFIX=$LAB-
  # A pipe we hold both ends of: `read -t` on it is a sleep without a fork.
  [[ -n ${_OBS_FD-} ]] || exec {_OBS_FD}<> <(:)
  t0=${EPOCHREALTIME/[.,]/}
  deadline=$((t0 + us))
  OBS_N=0 OBS_BAD=0 OBS_FIRST=''
  OBSERVING=1
  # Only `ip` forks in the loop: a sample every 20-50 ms, also under load
  # (an `ip` takes ~20 ms on a busy 2-core machine).
  while ((${EPOCHREALTIME/[.,]/} < deadline)); do
    OBS_N=$((OBS_N + 1))
    r=''
    for h in $OBS_HOSTS; do
      _routes_into "$h"
      r+="${h}[${R[$h]//$'\n'/;}] "
    done
    [[ -n ${SEEN[$r]-} ]] || { SEEN[$r]=1; echo "$r" >>"$DIR/seen.txt"; }
    WHY=''
    if ! "$@"; then
      OBS_BAD=$((OBS_BAD + 1))
      [[ -n $OBS_FIRST ]] || OBS_FIRST="at +$(((${EPOCHREALTIME/[.,]/} - t0) / 1000)) ms: $WHY"
    fi
    read -r -t 0.01 -u "$_OBS_FD" || :
  done
  OBSERVING=0
  ((OBS_BAD == 0))
}

no_routes() {  # HOST...
  local r h
  for h; do
    r=$(routes_of "$h")
    [[ -z $r ]] && continue
    WHY="$h has faild routes: [${r//$'\n'/;}]"
    return 1
  done
  return 0
}

# log_routes_via LOG N ERE: route_added / route_replaced lines after line N
# of LOG whose via= matches ERE (the log's word for what the samples may miss).
log_routes_via() {
  local log=$1 n=$2 re=$3
  { lines_since "$log" "$n" route_added "via=$re"; lines_since "$log" "$n" route_replaced "via=$re"; } |
    sed 's/^.*event=/event=/'
}

bad() {
  BAD+=("$*")
  echo "FAILED CHECK: $*" >&2
}

seen_routes() {
  step "distinct faild route sets seen so far (h1, h2):"
  sed 's/^/        /' "$DIR/seen.txt" 2>/dev/null
}

attack_end() {
  if ((${#BAD[@]})); then
    seen_routes
    local b msg="${#BAD[@]} check(s) failed:"
    for b in "${BAD[@]}"; do msg+=$'\n'"  - $b"; done
    fail "$msg"
  fi
  netns_pass
}
