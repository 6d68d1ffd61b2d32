#!/usr/bin/env python3
"""Hostile peers for faild's namespace tests (test/netns/replay.sh,
rogue_unkeyed.sh, flood.sh, attack_*.sh). Runs inside a lab namespace only;
every loop is bounded by a duration and a count. Every datagram leaves with
TTL / hop limit 255 from a socket bound to a lab interface (SO_BINDTODEVICE),
to lab addresses only. Speaks the wire format of faild/doc/PROTOCOL.md
("Datagram layout"): version 1, and version 2 (the same layout, byte 2 is 2;
flag 0x20 "target" on a probe-only INQ: one address after the heard list,
the address the probe was sent to). Crafted datagrams are keyless: keyed
attacks replay or relay recorded bytes.

  capture --dev IF [--src ADDR] [--node-id ID] [--family 4|6|any] [--type N]
          [--tap-netns NS --tap-dev PORT] --seconds S [--max N] --out FILE
      record the faild datagrams (UDP port 7793) that ADDR (or node ID)
      sends, one line each: the payload in hex, then src= dst= family=.
      Without a tap: what reaches IF's port 7793 (broadcasts, multicasts,
      unicast to us). With --tap-netns/--tap-dev: every frame on that
      switch port of the lab's switch namespace (a port mirror: unicast
      between others too). Prints one "captured type= ... inc= seq=" line
      per datagram; exits 1 if none.
  replay --dev IF --in FILE --to ADDR... --interval S --seconds S [--no-cycle]
         [--type N] --stats FILE
      send the recorded payloads again (cycling unless --no-cycle), one per
      destination every interval, from an ephemeral port; count the ACKs
  rogue --node-id ID --lan IF=OWN,BCAST... [--v6] [--mute IF@S...] --claim ADDR...
        --interval S --seconds S --stats FILE
      claim ID: answer every INQ heard with an ACK echoing its sequence,
      send INQs of its own (broadcast; --v6: also IPv6, to ff02::fa1d),
      advertise the claimed addresses, take the real ID's incarnation once
      heard (its INQs in each --wire-version given, default both 1 and 2;
      ACKs in the INQ's); --mute IF@S: from S seconds on, nothing sent or
      answered on IF
  forge --dev IF --to ADDR... --type inq|ack|bye|notice --node-id ID
        [--learn] [--incarnation N] [--seq N | --seq-ahead N] [--seq-step N]
        [--flags N] [--addr ADDR...] [--heard ID...] [--target ADDR]
        [--wire-version 1|2 ...] --count N --rate R --seconds S --stats FILE
      crafted keyless datagrams. --learn first waits (at most
      --learn-seconds) for an INQ of ID on IF (its broadcast or multicast)
      and takes its incarnation, sequence, flags, interval and addresses
      for whatever is not given. --seq-ahead N: the learnt sequence + N.
      Each --wire-version given sends its own datagram (default 2).
  crowd --dev IF --own ADDR --ids N --prefix P [--only-from ADDR...]
        --seconds S --count N --stats FILE
      N fake node ids (P000, P001, ...) at one address: every INQ heard
      (once per source and sequence) gets one ACK from each of them
  relay --dev IF --tap-netns NS --tap-dev PORT --src ADDR [--dst ADDR...]
        --to ADDR --seconds S --count N --stats FILE
      resend what ADDR sends (seen on the switch port, to a --dst) at once,
      unchanged, from our own address to --to (another family allowed:
      IPv4 datagrams over IPv6 to a link-local address)
  flood --dev IF --to ADDR... --rate N --seconds S --count N --seed N --spare-id ID... --stats FILE
      malformed and random datagrams (lengths 0..3000) and valid-looking INQs
      and ACKs with random node ids, bounded by rate, time and count; never
      the --spare-id ones (the lab's real nodes: taking one of their ids is
      impersonation, which `rogue` tests, and which faild without keys
      cannot refuse)
"""
import argparse
import ctypes
import ipaddress
import os
import random
import select
import signal
import socket
import struct
import sys
import time

PORT = 7793
GROUP6 = "ff02::fa1d"
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
ETH_P_ALL = 0x0003
CLONE_NEWNET = 0x40000000
INQ, ACK, BYE, NOTICE = 1, 2, 3, 4
KINDS = {"inq": INQ, "ack": ACK, "bye": BYE, "notice": NOTICE}
F_TRUNCATED, F_PROBE_ONLY, F_AUTH, F_MUTUAL, F_ACK_WANTED, F_TARGET = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
MAC_SIZE = 32
ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-"
LAB_NETS = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "fe80::/10")]
MAX_RATE, MAX_SECONDS = 20000, 120

stop = False


def _stop(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, _stop)
signal.signal(signal.SIGINT, _stop)


def die(msg):
    sys.exit(f"faild_attacker: {msg}")


def check_lab_addr(a):
    """a destination (or own address) must be in the lab's ranges, or faild's IPv6 group"""
    host = a.split("%", 1)[0]
    ip = ipaddress.ip_address(host)
    if host == GROUP6 or any(ip in n for n in LAB_NETS):
        return a
    die(f"{a} is not a lab address (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, fe80::/10)")


def bounded(seconds, count=None):
    if not 0 < seconds <= MAX_SECONDS:
        die(f"--seconds must be in (0, {MAX_SECONDS}]")
    if count is not None and not 0 < count <= 1_000_000:
        die("--count must be in 1..1000000")


# ------------------------------------------------------------------ codec ---

def encode(kind, node_id, inc, seq, interval_us=100000, flags=0, addrs=(), heard=(), version=2, target=None):
    """One keyless datagram. version 2 with a target: flag 0x20, the address after the heard list."""
    nid = node_id.encode()
    if target is not None and version >= 2:
        flags |= F_TARGET
    else:
        flags &= ~F_TARGET
    flags &= ~F_AUTH
    out = bytearray(b"FD")
    out += struct.pack("!BBBBBBIII", version, kind, flags, len(nid), len(addrs), len(heard),
                       inc & 0xFFFFFFFF, seq & 0xFFFFFFFF, interval_us)
    out += nid
    for a in addrs:
        ip = ipaddress.ip_address(a)
        out += bytes([4 if ip.version == 4 else 6]) + ip.packed
    for h in heard:
        out += bytes([len(h)]) + h.encode()
    if flags & F_TARGET:
        ip = ipaddress.ip_address(target)
        out += bytes([4 if ip.version == 4 else 6]) + ip.packed
    return bytes(out)


def decode(data):
    """The fields of a datagram of version 1 or 2 as a dict; None when its header is not sane.
    Whatever cannot be read past the header is left out (addrs/heard None)."""
    if len(data) < 20 or data[:2] != b"FD" or data[2] not in (1, 2):
        return None
    version, kind, flags, idl, na, nh = data[2:8]
    inc, seq, interval = struct.unpack("!III", data[8:20])
    if len(data) < 20 + idl:
        return None
    m = {"version": version, "type": kind, "flags": flags, "node": data[20:20 + idl].decode(errors="replace"),
         "inc": inc, "seq": seq, "interval": interval, "addrs": None, "heard": None, "target": None,
         "len": len(data)}
    i = 20 + idl
    try:
        addrs = []
        for _ in range(na):
            fam = data[i]
            n = 4 if fam == 4 else 16 if fam == 6 else die_parse()
            addrs.append(str(ipaddress.ip_address(data[i + 1:i + 1 + n])))
            i += 1 + n
        heard = []
        for _ in range(nh):
            n = data[i]
            heard.append(data[i + 1:i + 1 + n].decode(errors="replace"))
            i += 1 + n
        if version >= 2 and kind == INQ and flags & F_TARGET:
            fam = data[i]
            n = 4 if fam == 4 else 16 if fam == 6 else die_parse()
            m["target"] = str(ipaddress.ip_address(data[i + 1:i + 1 + n]))
            i += 1 + n
        m["addrs"], m["heard"] = addrs, heard
    except (IndexError, ValueError):
        pass
    return m


def die_parse():
    raise ValueError("bad family byte")


def parse(data):
    """(type, flags, node_id, incarnation, seq) of a datagram with a sane header, else None."""
    m = decode(data)
    return None if m is None else (m["type"], m["flags"], m["node"], m["inc"], m["seq"])


def describe(m):
    s = (f"type={m['type']} flags={m['flags']} node={m['node']} inc={m['inc']} seq={m['seq']}"
         f" version={m['version']} interval={m['interval']} len={m['len']}")
    if m["addrs"] is not None:
        s += f" addrs={','.join(m['addrs']) or '-'} heard={','.join(m['heard']) or '-'}"
    if m["target"]:
        s += f" target={m['target']}"
    return s


# ---------------------------------------------------------------- sockets ---

def family_of(a):
    return 6 if ":" in a else 4


def ifindex(dev):
    try:
        return socket.if_nametoindex(dev)
    except OSError:
        die(f"no interface {dev} in this namespace")


def udp_socket(dev, port=0, fam=4):
    """A UDP socket bound to dev (SO_BINDTODEVICE), TTL / hop limit 255;
    IPv6: in faild's group ff02::fa1d, multicasts not looped back."""
    if fam == 4:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev.encode())
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
        s.bind(("0.0.0.0", port))
        return s
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev.encode())
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    idx = ifindex(dev)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
    if port:
        mreq = socket.inet_pton(socket.AF_INET6, GROUP6) + struct.pack("@I", idx)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    s.bind(("::", port, 0, idx))
    return s


def dest(a, dev, port=PORT):
    """sendto address for a (IPv6 with the scope of dev)"""
    check_lab_addr(a)
    a = a.split("%", 1)[0]
    if family_of(a) == 4:
        return (a, port)
    return (a, port, 0, ifindex(dev))


def own_v6(dev):
    """dev's IPv6 addresses (to skip our own datagrams)"""
    out = set()
    try:
        with open("/proc/net/if_inet6") as f:
            for line in f:
                p = line.split()
                if p[5] == dev:
                    out.add(str(ipaddress.ip_address(bytes.fromhex(p[0]))))
    except OSError:
        pass
    return out


def tap_socket(netns, dev):
    """A packet socket on dev of the named network namespace (a switch port:
    a port mirror), opened by entering that namespace for the call only."""
    libc = ctypes.CDLL(None, use_errno=True)
    path = netns if netns.startswith("/") else f"/run/netns/{netns}"
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    other = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(other, CLONE_NEWNET) != 0:
            die(f"setns {path}: {os.strerror(ctypes.get_errno())}")
        try:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.bind((dev, ETH_P_ALL))
        finally:
            if libc.setns(own, CLONE_NEWNET) != 0:
                die(f"setns back: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(own)
        os.close(other)
    return s


def frame_udp(frame):
    """(family, src, dst, sport, dport, payload) of an Ethernet frame carrying UDP, else None"""
    if len(frame) < 14:
        return None
    et = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if et == 0x0800 and len(p) >= 20 and p[9] == 17:
        ihl = (p[0] & 15) * 4
        if struct.unpack("!H", p[6:8])[0] & 0x3FFF:  # a fragment
            return None
        total = struct.unpack("!H", p[2:4])[0]
        u = p[ihl:total]
        fam, src, dst = 4, socket.inet_ntop(socket.AF_INET, p[12:16]), socket.inet_ntop(socket.AF_INET, p[16:20])
    elif et == 0x86DD and len(p) >= 40 and p[6] == 17:
        plen = struct.unpack("!H", p[4:6])[0]
        u = p[40:40 + plen]
        fam, src, dst = 6, socket.inet_ntop(socket.AF_INET6, p[8:24]), socket.inet_ntop(socket.AF_INET6, p[24:40])
    else:
        return None
    if len(u) < 8:
        return None
    sport, dport, ulen = struct.unpack("!HHH", u[:6])
    return fam, src, dst, sport, dport, u[8:ulen]


def write_stats(path, **kv):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(f"{k}={v}" for k, v in kv.items()) + "\n")
    os.replace(tmp, path)


def same_addr(a, b):
    try:
        return ipaddress.ip_address(a.split("%", 1)[0]) == ipaddress.ip_address(b.split("%", 1)[0])
    except ValueError:
        return False


# ---------------------------------------------------------------- capture ---

class Listener:
    """Datagrams to port 7793: from our own sockets on dev, or from a switch-port tap.
    next(timeout) -> (family, src, dst, payload) or None."""

    def __init__(self, dev, fam="4", tap_netns=None, tap_dev=None):
        self.tap = None
        self.socks = []
        if tap_netns:
            if not tap_dev:
                die("--tap-netns wants --tap-dev")
            self.tap = tap_socket(tap_netns, tap_dev)
            self.socks = [self.tap]
        else:
            if fam in ("4", "any"):
                self.socks.append(udp_socket(dev, PORT, 4))
            if fam in ("6", "any"):
                self.socks.append(udp_socket(dev, PORT, 6))
        self.fam = fam

    def next(self, timeout):
        r, _, _ = select.select(self.socks, [], [], max(0.0, timeout))
        for s in r:
            if s is self.tap:
                frame, _addr = s.recvfrom(65535)
                u = frame_udp(frame)
                if not u:
                    continue
                fam, src, dst, _sport, dport, payload = u
                if dport != PORT or (self.fam != "any" and str(fam) != self.fam):
                    continue
                return fam, src, dst, payload
            data, a = s.recvfrom(65535)
            return (6 if s.family == socket.AF_INET6 else 4), a[0], "-", data
        return None


def cmd_capture(a):
    bounded(a.seconds)
    if a.src:
        check_lab_addr(a.src)
    lis = Listener(a.dev, a.family, a.tap_netns, a.tap_dev)
    print("listening", flush=True)
    end = time.monotonic() + a.seconds
    n = 0
    with open(a.out, "w") as f:
        while not stop and n < a.max and (left := end - time.monotonic()) > 0:
            got = lis.next(min(left, 0.2))
            if not got:
                continue
            fam, src, dst, data = got
            if a.src and not same_addr(src, a.src):
                continue
            m = decode(data)
            if a.node_id and (m is None or m["node"] != a.node_id):
                continue
            if a.type and (m is None or m["type"] not in a.type):
                continue
            if a.dst and not any(same_addr(dst, d) for d in a.dst):
                continue
            f.write(f"{data.hex()} src={src} dst={dst} family=v{fam}\n")
            f.flush()
            n += 1
            if m:
                print(f"captured {describe(m)} src={src} dst={dst} family=v{fam}", flush=True)
    print(f"captured={n}", flush=True)
    return 0 if n else 1


# ----------------------------------------------------------------- replay ---

def cmd_replay(a):
    bounded(a.seconds)
    tos = [dest(t, a.dev) for t in a.to]
    payloads = []
    with open(a.inp) as f:
        for line in f:
            if not line.strip():
                continue
            p = bytes.fromhex(line.split()[0])
            m = decode(p)
            if a.type and (m is None or m["type"] not in a.type):
                continue
            payloads.append(p)
    if not payloads:
        die("nothing to replay")
    socks = {4: None, 6: None}
    for t in tos:
        fam = 6 if len(t) == 4 else 4
        if socks[fam] is None:
            socks[fam] = udp_socket(a.dev, 0, fam)
            socks[fam].setblocking(False)
    live = [s for s in socks.values() if s]
    sent = acks = other = 0
    start = time.monotonic()
    end = start + a.seconds
    nxt = start
    i = 0
    print(f"replaying {len(payloads)} datagrams", flush=True)
    while not stop and time.monotonic() < end and (not a.no_cycle or i < len(payloads)):
        now = time.monotonic()
        if now >= nxt:
            p = payloads[i % len(payloads)]
            i += 1
            for t in tos:
                try:
                    socks[6 if len(t) == 4 else 4].sendto(p, t)
                    sent += 1
                except OSError:
                    pass
            nxt += a.interval
            write_stats(a.stats, sent=sent, acks=acks, other=other, rounds=i)
        r, _, _ = select.select(live, [], [], max(0.0, min(nxt - time.monotonic(), end - time.monotonic())))
        for s in r:
            while True:
                try:
                    data, _ = s.recvfrom(4096)
                except BlockingIOError:
                    break
                h = parse(data)
                if h and h[0] == ACK:
                    acks += 1
                    print(f"ACK from node={h[2]} seq={h[4]}", flush=True)
                else:
                    other += 1
    write_stats(a.stats, sent=sent, acks=acks, other=other, rounds=i, done=1)
    print(f"sent={sent} acks={acks} other={other} rounds={i}", flush=True)
    return 0


# ------------------------------------------------------------------ rogue ---

def cmd_rogue(a):
    bounded(a.seconds)
    lans = []  # (dev, fam, own, bcast, sock)
    for spec in a.lan:
        dev, rest = spec.split("=", 1)
        own, bcast = rest.split(",")
        check_lab_addr(own)
        check_lab_addr(bcast)
        lans.append((dev, 4, {own}, bcast, udp_socket(dev, PORT, 4)))
        if a.v6:
            lans.append((dev, 6, own_v6(dev), GROUP6, udp_socket(dev, PORT, 6)))
    mute = {}
    for m in a.mute:
        dev, after = m.split("@", 1)
        mute[dev] = float(after)
    inc = random.getrandbits(32) or 1
    learned = False
    seq = {(dev, fam): 0 for dev, fam, *_ in lans}
    acks = inqs = 0
    start = time.monotonic()
    end = start + a.seconds
    nxt = start
    print("rogue running", flush=True)
    socks = {l[4]: l for l in lans}
    muted = lambda dev: dev in mute and time.monotonic() - start >= mute[dev]  # noqa: E731
    while not stop and time.monotonic() < end and acks + inqs < a.count:
        now = time.monotonic()
        if now >= nxt:
            for dev, fam, own, bcast, s in lans:
                if muted(dev):
                    continue
                seq[(dev, fam)] += 1
                for v in a.wire_version or [1, 2]:
                    try:
                        s.sendto(encode(INQ, a.node_id, inc, seq[(dev, fam)], int(a.interval * 1e6), addrs=a.claim,
                                        version=v), dest(bcast, dev))
                        inqs += 1
                    except OSError:
                        pass
            nxt += a.interval
            write_stats(a.stats, acks=acks, inqs=inqs, incarnation=inc, learned=int(learned))
        r, _, _ = select.select(list(socks), [], [], max(0.0, min(nxt - time.monotonic(), end - time.monotonic())))
        for s in r:
            dev, fam, own, bcast, _ = socks[s]
            data, src = s.recvfrom(4096)
            if src[0].split("%")[0] in own or muted(dev):
                continue
            m = decode(data)
            if not m:
                continue
            if m["node"] == a.node_id:  # the real one: take its incarnation
                if not learned or m["inc"] != inc:
                    inc, learned = m["inc"], True
                    print(f"learned incarnation {inc} of {m['node']} from {src[0]}", flush=True)
                continue
            if m["type"] == INQ:
                try:
                    s.sendto(encode(ACK, a.node_id, inc, m["seq"], int(a.interval * 1e6), addrs=a.claim,
                                    version=m["version"]), src)
                    acks += 1
                except OSError:
                    pass
    write_stats(a.stats, acks=acks, inqs=inqs, incarnation=inc, learned=int(learned), done=1)
    print(f"acks={acks} inqs={inqs}", flush=True)
    return 0


# ------------------------------------------------------------------ forge ---

def learn(dev, node_id, fam, seconds):
    """The first INQ of node_id that reaches us on dev (its broadcast / multicast), decoded."""
    lis = Listener(dev, str(fam))
    end = time.monotonic() + seconds
    while not stop and (left := end - time.monotonic()) > 0:
        got = lis.next(min(left, 0.2))
        if not got:
            continue
        m = decode(got[3])
        if m and m["node"] == node_id and m["type"] == INQ and not m["flags"] & F_PROBE_ONLY:
            print(f"learned {describe(m)} src={got[1]}", flush=True)
            return m
    die(f"no INQ of {node_id} heard on {dev} within {seconds} s")


def cmd_forge(a):
    bounded(a.seconds, a.count)
    if not 0 < a.rate <= MAX_RATE:
        die(f"--rate must be in (0, {MAX_RATE}]")
    tos = [dest(t, a.dev) for t in a.to]
    fams = {6 if len(t) == 4 else 4 for t in tos}
    kind = KINDS[a.type]
    base = {"inc": a.incarnation, "seq": a.seq, "flags": a.flags, "interval": a.interval_us,
            "addrs": a.addr or None}
    if a.learn:
        m = learn(a.dev, a.node_id, a.learn_family or min(fams), a.learn_seconds)
        if base["inc"] is None:
            base["inc"] = m["inc"]
        if base["seq"] is None and a.seq_ahead is not None:
            base["seq"] = m["seq"] + a.seq_ahead
        if base["flags"] is None:
            base["flags"] = m["flags"] & (F_MUTUAL | F_ACK_WANTED)
        if base["interval"] is None:
            base["interval"] = m["interval"]
        if base["addrs"] is None and not a.no_addrs:
            base["addrs"] = m["addrs"] or []
    if base["inc"] is None:
        die("--incarnation or --learn")
    seq = base["seq"] if base["seq"] is not None else 0
    flags = base["flags"] or 0
    interval = base["interval"] or 100000
    addrs = [] if a.no_addrs else (base["addrs"] or [])
    socks = {fam: udp_socket(a.dev, 0, fam) for fam in fams}
    versions = a.wire_version or [2]
    sent = errors = n = 0
    start = time.monotonic()
    end = start + a.seconds
    print(f"forging type={kind} node={a.node_id} inc={base['inc']} seq={seq} flags={flags} "
          f"addrs={','.join(addrs) or '-'} heard={','.join(a.heard) or '-'} versions={versions} "
          f"count={a.count} rate={a.rate}/s", flush=True)
    while not stop and n < a.count and time.monotonic() < end:
        due = int((time.monotonic() - start) * a.rate) + 1
        while n < min(due, a.count):
            s_ = (seq + n * a.seq_step) & 0xFFFFFFFF if kind in (INQ, ACK) else 0
            for v in versions:
                d = encode(kind, a.node_id, base["inc"], s_, interval, flags, addrs, a.heard, v, a.target)
                for t in tos:
                    try:
                        socks[6 if len(t) == 4 else 4].sendto(d, t)
                        sent += 1
                    except OSError:
                        errors += 1
            n += 1
            if n <= 3 or n == a.count:
                print(f"sent #{n} seq={s_}", flush=True)
        write_stats(a.stats, sent=sent, errors=errors, forged=n, incarnation=base["inc"])
        time.sleep(min(0.02, 1.0 / a.rate))
    write_stats(a.stats, sent=sent, errors=errors, forged=n, incarnation=base["inc"], done=1)
    print(f"forged={n} sent={sent} errors={errors} seconds={time.monotonic() - start:.2f}", flush=True)
    return 0 if sent else 1


# ------------------------------------------------------------------ crowd ---

def cmd_crowd(a):
    bounded(a.seconds, a.count)
    check_lab_addr(a.own)
    if not 1 <= a.ids <= 1000:
        die("--ids must be 1..1000")
    ids = [f"{a.prefix}{i:03d}" for i in range(a.ids)]
    incs = {nid: random.getrandbits(32) or 1 for nid in ids}
    only = set(a.only_from)
    for o in only:
        check_lab_addr(o)
    s = udp_socket(a.dev, PORT, 4)
    answered = set()
    acks = inqs = 0
    start = time.monotonic()
    end = start + a.seconds
    print(f"crowd of {len(ids)} ids ({ids[0]}..{ids[-1]}) at {a.own}", flush=True)
    last_stats = 0.0
    while not stop and acks < a.count and (left := end - time.monotonic()) > 0:
        r, _, _ = select.select([s], [], [], min(left, 0.2))
        if r:
            data, src = s.recvfrom(4096)
            if src[0] == a.own or (only and src[0] not in only):
                continue
            m = decode(data)
            if not m or m["type"] != INQ or m["node"] in ids:
                continue
            inqs += 1
            key = (src[0], m["node"], m["seq"])
            if key in answered:
                continue
            answered.add(key)
            if len(answered) > 10000:
                answered.clear()
                answered.add(key)
            for nid in ids:
                if acks >= a.count:
                    break
                try:
                    s.sendto(encode(ACK, nid, incs[nid], m["seq"], 100000, version=m["version"]), src)
                    acks += 1
                except OSError:
                    pass
        if time.monotonic() - last_stats > 0.2:
            write_stats(a.stats, acks=acks, inqs=inqs)
            last_stats = time.monotonic()
    write_stats(a.stats, acks=acks, inqs=inqs, done=1)
    print(f"acks={acks} inqs={inqs}", flush=True)
    return 0


# ------------------------------------------------------------------ relay ---

def cmd_relay(a):
    bounded(a.seconds, a.count)
    check_lab_addr(a.src)
    to = dest(a.to, a.dev)
    out = udp_socket(a.dev, 0, 6 if len(to) == 4 else 4)  # in our own namespace, before the tap
    lis = Listener(a.dev, "any", a.tap_netns, a.tap_dev)
    relayed = seen = 0
    start = time.monotonic()
    end = start + a.seconds
    print(f"relaying what {a.src} sends (to {','.join(a.dst) or 'anyone'}) to {a.to}", flush=True)
    while not stop and relayed < a.count and (left := end - time.monotonic()) > 0:
        got = lis.next(min(left, 0.2))
        if not got:
            continue
        fam, src, dst, data = got
        if not same_addr(src, a.src) or (a.dst and not any(same_addr(dst, d) for d in a.dst)):
            continue
        seen += 1
        try:
            out.sendto(data, to)
            relayed += 1
        except OSError:
            continue
        if relayed <= 3:
            m = decode(data)
            print(f"relayed {describe(m) if m else len(data)} from {src}->{dst} (v{fam})", flush=True)
        write_stats(a.stats, relayed=relayed, seen=seen)
    write_stats(a.stats, relayed=relayed, seen=seen, done=1)
    print(f"relayed={relayed} seen={seen}", flush=True)
    return 0


# ------------------------------------------------------------------ flood ---

def flood_datagram(rng):
    r = rng.random()
    if r < 0.4:  # random bytes, random length 0..3000
        return rng.randbytes(rng.randint(0, 3000))
    if r < 0.55:  # a valid header, then garbage / truncation / trailing bytes
        base = encode(rng.choice((INQ, ACK, BYE, NOTICE)), rand_id(rng), rng.getrandbits(32), rng.getrandbits(32),
                      version=1)
        tail = rng.randbytes(rng.randint(0, 3000 - len(base)))
        if rng.random() < 0.5:
            return base[:rng.randint(0, len(base))]
        return base + tail
    if r < 0.65:  # header fields out of bounds
        d = bytearray(encode(INQ, rand_id(rng), rng.getrandbits(32), rng.getrandbits(32), version=1))
        i = rng.randint(2, 19)
        d[i] = rng.getrandbits(8)
        return bytes(d)
    # valid INQs / ACKs with random node ids (peer table, peer limit), some
    # advertising lab addresses, some with the authenticated flag (unverifiable)
    kind = INQ if rng.random() < 0.7 else ACK
    addrs = [f"192.0.2.{rng.randint(1, 254)}" for _ in range(rng.randint(0, 3))]
    addrs += [f"198.51.100.{rng.randint(1, 254)}" for _ in range(rng.randint(0, 2))]
    heard = [rand_id(rng) for _ in range(rng.randint(0, 5))]
    flags = 4 if rng.random() < 0.05 else rng.choice((0, 0, 1, 2))
    d = bytearray(encode(kind, rand_id(rng), rng.getrandbits(32), rng.getrandbits(32),
                         rng.randint(1000, 3_600_000_000), flags, addrs, heard, version=1))
    d[4] = flags  # encode() never sets the authenticated flag itself
    return bytes(d)


SPARE_IDS = set()  # node ids the flood never sends (--spare-id)


def rand_id(rng):
    while True:
        nid = "".join(rng.choice(ID_CHARS) for _ in range(rng.randint(1, 32)))
        if nid not in SPARE_IDS:
            return nid


def cmd_flood(a):
    for t in a.to:
        check_lab_addr(t)
    rng = random.Random(a.seed)
    SPARE_IDS.update(a.spare_id)
    s = udp_socket(a.dev)
    low = udp_socket(a.dev)
    low.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 64)  # a few with a low TTL
    s.setblocking(False)
    low.setblocking(False)
    sent = errors = 0
    limit = min(a.count, int(a.rate * a.seconds))
    start = time.monotonic()
    end = start + a.seconds
    print(f"flooding {limit} datagrams at {a.rate}/s", flush=True)
    while not stop and sent + errors < limit:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * a.rate) + 1
        while sent + errors < min(due, limit):
            d = flood_datagram(rng)
            sock = low if rng.random() < 0.02 else s
            try:
                sock.sendto(d, (a.to[(sent + errors) % len(a.to)], PORT))
                sent += 1
            except OSError:
                errors += 1
        if (sent + errors) % 1000 < 50:
            write_stats(a.stats, sent=sent, errors=errors)
        time.sleep(0.002)
    took = time.monotonic() - start
    write_stats(a.stats, sent=sent, errors=errors, seconds=f"{took:.2f}", done=1)
    print(f"sent={sent} errors={errors} seconds={took:.2f} rate={sent / max(took, 1e-9):.0f}/s", flush=True)
    return 0


# ------------------------------------------------------------------- main ---

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("--dev", required=True)
    c.add_argument("--src")
    c.add_argument("--dst", action="append", default=[])
    c.add_argument("--node-id")
    c.add_argument("--family", choices=("4", "6", "any"), default="4")
    c.add_argument("--type", type=int, action="append", default=[])
    c.add_argument("--tap-netns")
    c.add_argument("--tap-dev")
    c.add_argument("--seconds", type=float, default=3)
    c.add_argument("--max", type=int, default=100000)
    c.add_argument("--out", required=True)
    r = sub.add_parser("replay")
    r.add_argument("--dev", required=True)
    r.add_argument("--in", dest="inp", required=True)
    r.add_argument("--to", action="append", required=True)
    r.add_argument("--type", type=int, action="append", default=[])
    r.add_argument("--interval", type=float, default=0.1)
    r.add_argument("--seconds", type=float, default=30)
    r.add_argument("--no-cycle", action="store_true")
    r.add_argument("--stats")
    g = sub.add_parser("rogue")
    g.add_argument("--node-id", required=True)
    g.add_argument("--lan", action="append", required=True)
    g.add_argument("--v6", action="store_true")
    g.add_argument("--mute", action="append", default=[])
    g.add_argument("--claim", action="append", default=[])
    g.add_argument("--interval", type=float, default=0.1)
    g.add_argument("--seconds", type=float, default=60)
    g.add_argument("--count", type=int, default=200000)
    g.add_argument("--wire-version", type=int, choices=(1, 2), action="append")
    g.add_argument("--stats")
    o = sub.add_parser("forge")
    o.add_argument("--dev", required=True)
    o.add_argument("--to", action="append", required=True)
    o.add_argument("--type", choices=sorted(KINDS), required=True)
    o.add_argument("--node-id", required=True)
    o.add_argument("--learn", action="store_true")
    o.add_argument("--learn-family", type=int, choices=(4, 6))
    o.add_argument("--learn-seconds", type=float, default=5)
    o.add_argument("--incarnation", type=int)
    o.add_argument("--seq", type=int)
    o.add_argument("--seq-ahead", type=int)
    o.add_argument("--seq-step", type=int, default=1)
    o.add_argument("--flags", type=int)
    o.add_argument("--interval-us", type=int)
    o.add_argument("--addr", action="append", default=[])
    o.add_argument("--no-addrs", action="store_true")
    o.add_argument("--heard", action="append", default=[])
    o.add_argument("--target")
    o.add_argument("--wire-version", type=int, choices=(1, 2), action="append")
    o.add_argument("--count", type=int, default=1)
    o.add_argument("--rate", type=float, default=10)
    o.add_argument("--seconds", type=float, default=10)
    o.add_argument("--stats")
    w = sub.add_parser("crowd")
    w.add_argument("--dev", required=True)
    w.add_argument("--own", required=True)
    w.add_argument("--ids", type=int, default=255)
    w.add_argument("--prefix", default="fake")
    w.add_argument("--only-from", action="append", default=[])
    w.add_argument("--seconds", type=float, default=30)
    w.add_argument("--count", type=int, default=500000)
    w.add_argument("--stats")
    y = sub.add_parser("relay")
    y.add_argument("--dev", required=True)
    y.add_argument("--tap-netns", required=True)
    y.add_argument("--tap-dev", required=True)
    y.add_argument("--src", required=True)
    y.add_argument("--dst", action="append", default=[])
    y.add_argument("--to", required=True)
    y.add_argument("--seconds", type=float, default=10)
    y.add_argument("--count", type=int, default=1000)
    y.add_argument("--stats")
    f = sub.add_parser("flood")
    f.add_argument("--dev", required=True)
    f.add_argument("--to", action="append", required=True)
    f.add_argument("--rate", type=int, default=5000)
    f.add_argument("--seconds", type=float, default=10)
    f.add_argument("--count", type=int, default=50000)
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--spare-id", action="append", default=[])
    f.add_argument("--stats")
    a = ap.parse_args()
    if a.cmd == "flood" and not (0 < a.rate <= MAX_RATE and 0 < a.seconds <= 60):
        die("flood bounded to 20000/s and 60 s")
    return {"capture": cmd_capture, "replay": cmd_replay, "rogue": cmd_rogue, "forge": cmd_forge,
            "crowd": cmd_crowd, "relay": cmd_relay, "flood": cmd_flood}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
