#!/usr/bin/env bash
# The control socket's limits (issue 20, item 7), on the real binary
# (2-host lab, IPv4, faild -r -t 0.1 -f 3 -s 3 --control-socket S in h1):
#   1. a client that sends no request line is closed within the deadline
#      (5 s; checked within 8 s);
#   2. 40 clients at once: 32 are served, the others are told "error: too
#      many clients" and closed at once; once the idle ones are closed,
#      faildctl is answered again;
#   3. with its descriptor limit reached (prlimit on the running faild), a
#      client's connection cannot be accepted: faild does not spin (its CPU
#      time over 2 s stays below 20 %), keeps probing (no path goes down),
#      and answers that very client once descriptors are free again.
# Exit 0 pass, 1 fail (with a dump), 77 where namespaces cannot be made or
# python3 is missing.
# shellcheck disable=SC2317  # helpers are called through lab_wait
set -u

export LAB=rcs$$ LAB_FAMILY=v4 LAB_LANS=2
# shellcheck source-path=SCRIPTDIR source=lib/common.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.bash" || exit 1
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || { echo "SKIP: python3 is not installed" >&2; exit 77; }
command -v prlimit >/dev/null || { echo "SKIP: prlimit (util-linux) is not installed" >&2; exit 77; }
netns_begin netns-control "$FAILD" "$FAILDCTL"

# Control clients, bounded in number and time; one line of results each.
cat >"$DIR/clients.py" <<'PY'
import socket, sys, time
mode, path = sys.argv[1], sys.argv[2]

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

def read_all(s, limit):
    """Everything the server sends until it closes (or `limit` s pass): (bytes, closed)."""
    s.settimeout(0.05)
    data, end = b"", time.monotonic() + limit
    while time.monotonic() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False

if mode == "idle":  # idle LIMIT: seconds until the server closes a silent client
    s, t0 = connect(), time.monotonic()
    data, closed = read_all(s, float(sys.argv[3]))
    print(f"closed={int(closed)} after_ms={int((time.monotonic() - t0) * 1000)} got={data!r}")
elif mode == "many":  # many N HOLD: N silent clients at once, held HOLD s
    socks = [connect() for _ in range(int(sys.argv[3]))]
    time.sleep(0.5)  # the server's answers to all of them, at once
    refused = held = 0
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(65536)
        except BlockingIOError:
            held += 1  # open, nothing said: being served
            continue
        if b"too many clients" in data:
            refused += 1
    print(f"refused={refused} held={held}", flush=True)
    time.sleep(float(sys.argv[4]))
    for s in socks:
        s.close()
elif mode == "request":  # request CMD LIMIT: one request, its whole answer
    s, t0 = connect(), time.monotonic()
    s.sendall(sys.argv[3].encode() + b"\n")
    data, closed = read_all(s, float(sys.argv[4]))
    lines = len(data.splitlines())
    print(f"closed={int(closed)} after_ms={int((time.monotonic() - t0) * 1000)} lines={lines} first={data.splitlines()[:1]!r}")
PY

S1=$DIR/h1.sock
client() { lab_exec h1 "$PY" "$DIR/clients.py" "$@"; }
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }

step "lab $LAB: 2 hosts, IPv4"
lab_up 2 || fail "lab_up"
start_faild h1 --control-socket "$S1"
start_faild h2
wait_paths_up
lab_exec h1 "$FAILDCTL" -s "$S1" version >/dev/null || fail "faildctl version"
step "all paths up; faildctl answers"

# --- 1. an idle client --------------------------------------------------------
r=$(client idle "$S1" 8) || fail "the idle client failed: $r"
step "idle client: $r"
[[ $(field closed "$r") == 1 ]] || fail "a client that sent nothing was not closed within 8 s: $r"

# --- 2. too many clients -------------------------------------------------------
lab_spawn h1 "$DIR/many.out" "$PY" "$DIR/clients.py" many "$S1" 40 3 || fail "start the 40 clients"
MPID=$LAB_PID
lab_wait 10 grep -q refused= "$DIR/many.out" || fail "the 40 clients did not report"
r=$(<"$DIR/many.out")
step "40 clients at once: $r"
[[ $(field refused "$r") == 8 && $(field held "$r") == 32 ]] || fail "want 32 held and 8 refused: $r"
lab_stop "$MPID" TERM 10
lab_wait 8 lab_exec h1 "$FAILDCTL" -s "$S1" version || fail "faildctl not answered after the 40 clients left"
step "faildctl answered again"

# --- 3. no descriptor left -----------------------------------------------------
pid=${DPID[h1]}
# The kernel hands out the lowest free descriptor: a limit at it leaves none
# (descriptors above it, inherited, stay usable).
free=0
while [[ -e /proc/$pid/fd/$free ]]; do free=$((free + 1)); done
prlimit --pid "$pid" --nofile="$free": || fail "prlimit --nofile=$free on faild ($pid)"
step "faild ($pid): descriptors 0..$((free - 1)) in use, limit now $free"
lab_spawn h1 "$DIR/starved.out" "$PY" "$DIR/clients.py" request "$S1" status 20 || fail "start the starved client"
CLPID=$LAB_PID
lab_wait 5 lab_log_has "$L1" accept_failed || fail "faild logged no accept_failed with its descriptors used up"
n0=$(nlines "$L1")
c0=$(lab_cpu_ns "$pid") t0=$(_lab_us)
sleep 2  # a CPU measurement window, not a wait for a condition
c1=$(lab_cpu_ns "$pid") t1=$(_lab_us)
cpu_pct=$(((c1 - c0) / ((t1 - t0) * 10)))
step "faild's CPU with a connection it cannot accept: $(((c1 - c0) / 1000000)) ms over $(((t1 - t0) / 1000)) ms (${cpu_pct} %)"
((cpu_pct < 20)) || fail "faild spins on accept(): ${cpu_pct} % CPU over 2 s"
has_since "$L1" "$n0" path_down && fail "a path went down while faild had no descriptor left"
[[ -s $DIR/starved.out ]] && fail "the client got an answer while faild could not accept it: $(<"$DIR/starved.out")"
prlimit --pid "$pid" --nofile=1024: || fail "prlimit --nofile=1024 on faild"
lab_wait 10 grep -q closed= "$DIR/starved.out" || fail "the waiting client was not answered within 10 s of free descriptors"
r=$(<"$DIR/starved.out")
step "descriptors free again: the waiting client got: $r"
[[ $(field closed "$r") == 1 && $(field lines "$r") -ge 2 ]] || fail "no status table for the waiting client: $r"
lab_stop "$CLPID" TERM 5
step "accept_failed lines: $(lab_log_count "$L1" accept_failed)"
(($(lab_log_count "$L1" accept_failed) <= 2)) || fail "accept_failed logged $(lab_log_count "$L1" accept_failed) times (want the first, then a count a minute)"
lab_exec h1 "$FAILDCTL" -s "$S1" status >/dev/null || fail "faildctl status after the descriptor shortage"
daemons_alive || fail "a daemon exited"
netns_pass
