#!/usr/bin/env bash
# faild under exactly what the unit (conf/faild.service) grants: its
# capability bounding set (and ambient set), NoNewPrivileges=, LimitRTPRIO=,
# LimitMEMLOCK= and the options of its ExecStart=, read from the unit file
# and applied with prlimit and setpriv inside a lab namespace, reading the
# packaged conf/faild.conf (lock-memory = yes, realtime = 10: the binary's
# own default is off), as the unit starts it. It must
#   1. start, with exactly the unit's capabilities effective,
#   2. run its loop SCHED_RR|SCHED_RESET_ON_FORK at the packaged priority
#      (chrt -p), with locked memory (VmLck in /proc/PID/status), while
#      h2, root but without the packaged conf, runs SCHED_OTHER,
#   3. run its notify program under the ordinary scheduler,
#   4. fail over and switch back.
# And the other way round (the checks can fail): without CAP_SYS_NICE,
# CAP_IPC_LOCK and the limits faild still starts, ordinary and unlocked;
# with --require-realtime it exits 1.
# Exit 0 pass, 1 fail, 77 without prlimit, setpriv, capsh or namespaces.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u
for tool in prlimit setpriv capsh chrt; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
export LAB=frtu$$
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
netns_begin unit-realtime "$FAILD"
UNIT=$SRC/conf/faild.service

# --- what the unit grants ----------------------------------------------------
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -n1; }
# LimitMEMLOCK=512M and the like, in bytes (systemd's K, M, G are 1024-based)
bytes() {
  case $1 in
    infinity) echo unlimited ;;
    *[Kk]) echo $((${1%?} << 10)) ;;
    *[Mm]) echo $((${1%?} << 20)) ;;
    *[Gg]) echo $((${1%?} << 30)) ;;
    *) echo "$1" ;;
  esac
}
CAPS=$(unit_value CapabilityBoundingSet)
AMBIENT=$(unit_value AmbientCapabilities)
RTPRIO=$(unit_value LimitRTPRIO)
MEMLOCK=$(bytes "$(unit_value LimitMEMLOCK)")
NNP=$(unit_value NoNewPrivileges)
EXEC_OPTS=$(unit_value ExecStart | sed 's#^[^ ]*##; s#\$FAILD_OPTS##')
[[ -n $CAPS && -n $RTPRIO && -n $MEMLOCK ]] ||
  fail "the unit lacks CapabilityBoundingSet=, LimitRTPRIO= or LimitMEMLOCK= (read: '$CAPS' '$RTPRIO' '$MEMLOCK')"
# setpriv's spelling: -all,+net_admin,+net_raw
cap_list() { local c out=-all; for c in $1; do c=${c#CAP_}; out+=",+${c,,}"; done; echo "$out"; }
step "unit: caps [$CAPS] ambient [$AMBIENT] LimitRTPRIO=$RTPRIO LimitMEMLOCK=$MEMLOCK NoNewPrivileges=$NNP ExecStart opts [$EXEC_OPTS]"

# limit NAME VALUE: VALUE, or the hard limit when it is lower and this
# shell cannot raise it (no CAP_SYS_RESOURCE, as in some containers: the
# unit's capabilities then have to do without the limit)
limit() {
  local hard
  hard=$(prlimit --pid $$ --"$1" --raw --noheadings -o HARD)
  if [[ $hard != unlimited && ($2 == unlimited || $2 -gt $hard) ]] && ! prlimit --"$1"="$2" -- true 2>/dev/null; then
    echo "$hard"
  else
    echo "$2"
  fi
}

# as_unit HOST LOG RTPRIO MEMLOCK CAPS [ARG...]: faild in HOST under these
# limits and exactly these capabilities (bounding = permitted = effective
# for root; inheritable and ambient as the unit's AmbientCapabilities=)
as_unit() {
  local host=$1 log=$2 rt nnp=() ml caps=$5
  rt=$(limit rtprio "$3") ml=$(limit memlock "$4")
  [[ $rt == "$3" && $ml == "$4" ]] || step "(this shell cannot raise RLIMIT_RTPRIO/MEMLOCK to $3/$4: $rt/$ml)"
  shift 5
  [[ $NNP == yes ]] && nnp=(--no-new-privs)
  # shellcheck disable=SC2086  # EXEC_OPTS: the unit's options, split as systemd does
  lab_spawn "$host" "${log%.log}.out" prlimit --rtprio="$rt" --memlock="$ml" -- \
    setpriv --bounding-set="$(cap_list "$caps")" --inh-caps="$(cap_list "$AMBIENT")" \
    --ambient-caps="$(cap_list "$AMBIENT")" "${nnp[@]}" -- \
    "$FAILD" -c "$SRC/conf/faild.conf" -r -t 0.1 -f 3 -s 3 --node-id "$host" -l "$log" $EXEC_OPTS "$@"
}
is_faild() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == "${FAILD##*/}" ]]; }
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# the names of the set bits of a capability mask, sorted, one line
cap_names() { capsh --decode="$1" | sed 's/.*=//' | tr ',' '\n' | sed 's/^cap_//' | sort | tr '\n' ' '; }
unit_cap_names() { local c; for c in $CAPS; do c=${c#CAP_}; echo "${c,,}"; done | sort | tr '\n' ' '; }
sched_of() { chrt -p "$1" | sed -n 's/.*scheduling policy: //p'; }
prio_of() { chrt -p "$1" | sed -n 's/.*scheduling priority: //p'; }

lab_up 2 || fail "lab_up"
printf '#!/bin/sh\nchrt -p $$ | sed -n "s/.*policy: /%s /p" >>%s\n' '$1' "$DIR/hook.out" >"$DIR/hook"
chmod 755 "$DIR/hook"

# --- 1, 2: under the unit's grants -------------------------------------------
as_unit h1 "$L1" "$RTPRIO" "$MEMLOCK" "$CAPS" -x "$DIR/hook"
DPID[h1]=$LAB_PID
start_faild h2
lab_wait 10 is_faild "${DPID[h1]}" || fail "faild did not start under the unit's grants"
wait_paths_up
p=${DPID[h1]}
eff=$(cap_names "$(status_of "$p" CapEff)")
[[ $eff == "$(unit_cap_names)" ]] || fail "effective capabilities [$eff], the unit grants [$(unit_cap_names)]"
step "h1 (pid $p) runs with exactly the unit's capabilities: $eff"
[[ $(sched_of "$p") == 'SCHED_RR|SCHED_RESET_ON_FORK' ]] || fail "h1's loop runs $(sched_of "$p"), not SCHED_RR|SCHED_RESET_ON_FORK"
[[ $(prio_of "$p") == 10 ]] || fail "h1's real-time priority is $(prio_of "$p"), not the packaged conf's 10"
[[ $(sched_of "${DPID[h2]}") == SCHED_OTHER ]] ||
  fail "h2 (root, no faild.conf) runs $(sched_of "${DPID[h2]}"): the binary's default should be --no-realtime"
vmlck=$(status_of "$p" VmLck)
if [[ -n ${ASAN_OPTIONS:-} ]]; then
  # ASan maps about 20 TiB of shadow with MAP_NORESERVE; mlockall succeeds
  # but the kernel reports VmLck 0 for such a process. The plain build
  # (the first pass) checks the lock.
  step "sanitized build: VmLck $vmlck kB is not checked (ASan's shadow)"
else
  ((vmlck > 0)) || fail "h1's memory is not locked (VmLck $vmlck kB)"
fi
step "h1: $(sched_of "$p") priority $(prio_of "$p"), VmLck ${vmlck} kB, VmSize $(status_of "$p" VmSize) kB"

# --- 3, 4: the notify program runs ordinary; failover and switchback -----------
cut_and_repair_a "under the unit's grants"
lab_wait 10 grep -q '^failover ' "$DIR/hook.out" || fail "the notify program did not run"
grep -v ' SCHED_OTHER$' "$DIR/hook.out" | grep -q . && fail "the notify program inherited the real-time class: $(cat "$DIR/hook.out")"
step "the notify program ran under SCHED_OTHER"
stop_faild h1

# --- the other way round: neither the capabilities nor the limits ------------
PLAIN_CAPS=$(sed 's/CAP_SYS_NICE//; s/CAP_IPC_LOCK//' <<<"$CAPS")
as_unit h1 "$DIR/h1-plain.log" 0 $((8 << 20)) "$PLAIN_CAPS"
DPID[h1]=$LAB_PID
lab_wait 10 is_faild "${DPID[h1]}" || fail "faild did not start without the limits"
lab_wait 10 grep -q 'event=start ' "$DIR/h1-plain.log" || fail "no start line without the limits"
p=${DPID[h1]}
lab_wait 10 paths_up "$DIR/h1-plain.log" "$L2" || fail "paths not up without the limits"
[[ $(sched_of "$p") == SCHED_OTHER ]] || fail "without CAP_SYS_NICE and LimitRTPRIO faild runs $(sched_of "$p")"
(($(status_of "$p" VmLck) == 0)) || fail "without CAP_IPC_LOCK, with RLIMIT_MEMLOCK 8 MiB, faild locked memory anyway"
step "without the capabilities and limits: SCHED_OTHER, nothing locked, running"
stop_faild h1
as_unit h1 "$DIR/h1-require.log" 0 $((8 << 20)) "$PLAIN_CAPS" --require-realtime
rc=0
wait "$LAB_PID" || rc=$?
((rc == 1)) || fail "--require-realtime without the limits exited $rc, not 1"
step "--require-realtime without them: exit 1"

stop_faild h2
both_empty || { show_routes; fail "faild routes left at the end"; }
PASSED=1
step "PASS"
