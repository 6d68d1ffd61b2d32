#!/usr/bin/env python3
"""Hostile peers for faild's namespace tests (test/netns/replay.sh,
rogue_unkeyed.sh, flood.sh). Runs inside a lab namespace only; every loop is
bounded by a duration (and the flood also by a count). Speaks the wire format
of faild/PROTOCOL.md ("Datagram layout").

  capture --dev IF --src ADDR --seconds S --out FILE
      record the UDP payloads ADDR sends to port 7793 that arrive on IF
      (broadcast INQs), one hex line each
  replay --dev IF --in FILE --to ADDR... --interval S --seconds S --stats FILE
      send the recorded payloads again (cycling), one per destination every
      interval, TTL 255, from an ephemeral port; count the ACKs that come back
  rogue --node-id ID --lan IF=OWN,BCAST... --claim ADDR... --interval S --seconds S --stats FILE
      claim ID: answer every INQ heard with an ACK echoing its sequence,
      broadcast INQs of its own, advertise the claimed addresses, and use
      the real ID's incarnation once heard
  flood --dev IF --to ADDR... --rate N --seconds S --count N --seed N --spare-id ID... --stats FILE
      malformed and random datagrams (lengths 0..3000) and valid-looking INQs
      and ACKs with random node ids, bounded by rate, time and count; never
      the --spare-id ones (the lab's real nodes: taking one of their ids is
      impersonation, which `rogue` tests, and which faild without keys
      cannot refuse)
"""
import argparse
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
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
INQ, ACK, BYE, NOTICE = 1, 2, 3, 4
ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-"

stop = False


def _stop(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, _stop)
signal.signal(signal.SIGINT, _stop)


def check_lab_addr(a):
    ip = ipaddress.ip_address(a)
    for net in ("192.0.2.0/24", "198.51.100.0/24"):
        if ip in ipaddress.ip_network(net):
            return a
    sys.exit(f"faild_attacker: {a} is not a lab address (192.0.2.0/24, 198.51.100.0/24)")


def encode(kind, node_id, inc, seq, interval_us=100000, flags=0, addrs=(), heard=()):
    nid = node_id.encode()
    out = bytearray(b"FD")
    out += struct.pack("!BBBBBBIII", 1, kind, flags, len(nid), len(addrs), len(heard), inc, seq, interval_us)
    out += nid
    for a in addrs:
        ip = ipaddress.ip_address(a)
        out += bytes([4 if ip.version == 4 else 6]) + ip.packed
    for h in heard:
        out += bytes([len(h)]) + h.encode()
    return bytes(out)


def parse(data):
    """(type, flags, node_id, incarnation, seq) of a datagram with a sane header, else None."""
    if len(data) < 20 or data[:2] != b"FD" or data[2] != 1:
        return None
    kind, flags, idl = data[3], data[4], data[5]
    inc, seq = struct.unpack("!II", data[8:16])
    if len(data) < 20 + idl:
        return None
    return kind, flags, data[20:20 + idl].decode(errors="replace"), inc, seq


def udp_socket(dev, port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev.encode())
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
    s.bind(("0.0.0.0", port))
    return s


def write_stats(path, **kv):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(f"{k}={v}" for k, v in kv.items()) + "\n")
    os.replace(tmp, path)


def cmd_capture(a):
    check_lab_addr(a.src)
    s = udp_socket(a.dev, PORT)
    print("listening", flush=True)
    end = time.monotonic() + a.seconds
    n = 0
    with open(a.out, "w") as f:
        while not stop and (left := end - time.monotonic()) > 0:
            r, _, _ = select.select([s], [], [], min(left, 0.2))
            if not r:
                continue
            data, (src, _port) = s.recvfrom(4096)
            if src != a.src:
                continue
            h = parse(data)
            f.write(data.hex() + "\n")
            f.flush()
            n += 1
            if h:
                print(f"captured type={h[0]} flags={h[1]} node={h[2]} inc={h[3]} seq={h[4]} len={len(data)}", flush=True)
    print(f"captured={n}", flush=True)
    return 0 if n else 1


def cmd_replay(a):
    for t in a.to:
        check_lab_addr(t)
    with open(a.inp) as f:
        payloads = [bytes.fromhex(line.strip()) for line in f if line.strip()]
    if not payloads:
        sys.exit("faild_attacker: nothing to replay")
    s = udp_socket(a.dev)
    s.setblocking(False)
    sent = acks = other = 0
    start = time.monotonic()
    end = start + a.seconds
    nxt = start
    i = 0
    print(f"replaying {len(payloads)} datagrams", flush=True)
    while not stop and time.monotonic() < end:
        now = time.monotonic()
        if now >= nxt:
            p = payloads[i % len(payloads)]
            i += 1
            for t in a.to:
                try:
                    s.sendto(p, (t, PORT))
                    sent += 1
                except OSError:
                    pass
            nxt += a.interval
            write_stats(a.stats, sent=sent, acks=acks, other=other, rounds=i)
        r, _, _ = select.select([s], [], [], max(0.0, min(nxt - time.monotonic(), end - time.monotonic())))
        while r:
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
    print(f"sent={sent} acks={acks} other={other}", flush=True)
    return 0


def cmd_rogue(a):
    lans = []
    for spec in a.lan:
        dev, rest = spec.split("=", 1)
        own, bcast = rest.split(",")
        check_lab_addr(own)
        check_lab_addr(bcast)
        lans.append((dev, own, bcast, udp_socket(dev, PORT)))
    inc = random.getrandbits(32) or 1
    learned = False
    seq = {dev: 0 for dev, *_ in lans}
    acks = inqs = 0
    start = time.monotonic()
    end = start + a.seconds
    nxt = start
    print("rogue running", flush=True)
    socks = {l[3]: l for l in lans}
    while not stop and time.monotonic() < end:
        now = time.monotonic()
        if now >= nxt:
            for dev, own, bcast, s in lans:
                seq[dev] += 1
                s.sendto(encode(INQ, a.node_id, inc, seq[dev], int(a.interval * 1e6), addrs=a.claim), (bcast, PORT))
                inqs += 1
            nxt += a.interval
            write_stats(a.stats, acks=acks, inqs=inqs, incarnation=inc, learned=int(learned))
        r, _, _ = select.select(list(socks), [], [], max(0.0, min(nxt - time.monotonic(), end - time.monotonic())))
        for s in r:
            dev, own, bcast, _ = socks[s]
            data, (src, sport) = s.recvfrom(4096)
            if src == own:
                continue
            h = parse(data)
            if not h:
                continue
            kind, flags, nid, pinc, pseq = h
            if nid == a.node_id:  # the real one: take its incarnation
                if not learned or pinc != inc:
                    inc, learned = pinc, True
                    print(f"learned incarnation {inc} of {nid} from {src}", flush=True)
                continue
            if kind == INQ:
                s.sendto(encode(ACK, a.node_id, inc, pseq, int(a.interval * 1e6), addrs=a.claim), (src, sport))
                acks += 1
    write_stats(a.stats, acks=acks, inqs=inqs, incarnation=inc, learned=int(learned), done=1)
    print(f"acks={acks} inqs={inqs}", flush=True)
    return 0


def flood_datagram(rng):
    r = rng.random()
    if r < 0.4:  # random bytes, random length 0..3000
        return rng.randbytes(rng.randint(0, 3000))
    if r < 0.55:  # a valid header, then garbage / truncation / trailing bytes
        base = encode(rng.choice((INQ, ACK, BYE, NOTICE)), rand_id(rng), rng.getrandbits(32), rng.getrandbits(32))
        tail = rng.randbytes(rng.randint(0, 3000 - len(base)))
        if rng.random() < 0.5:
            return base[:rng.randint(0, len(base))]
        return base + tail
    if r < 0.65:  # header fields out of bounds
        d = bytearray(encode(INQ, rand_id(rng), rng.getrandbits(32), rng.getrandbits(32)))
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
    return encode(kind, rand_id(rng), rng.getrandbits(32), rng.getrandbits(32),
                  rng.randint(1000, 3_600_000_000), flags, addrs, heard)


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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("--dev", required=True)
    c.add_argument("--src", required=True)
    c.add_argument("--seconds", type=float, default=3)
    c.add_argument("--out", required=True)
    r = sub.add_parser("replay")
    r.add_argument("--dev", required=True)
    r.add_argument("--in", dest="inp", required=True)
    r.add_argument("--to", action="append", required=True)
    r.add_argument("--interval", type=float, default=0.1)
    r.add_argument("--seconds", type=float, default=30)
    r.add_argument("--stats")
    g = sub.add_parser("rogue")
    g.add_argument("--node-id", required=True)
    g.add_argument("--lan", action="append", required=True)
    g.add_argument("--claim", action="append", default=[])
    g.add_argument("--interval", type=float, default=0.1)
    g.add_argument("--seconds", type=float, default=60)
    g.add_argument("--stats")
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
    if a.cmd == "flood" and not (0 < a.rate <= 20000 and 0 < a.seconds <= 60):
        sys.exit("faild_attacker: flood bounded to 20000/s and 60 s")
    return {"capture": cmd_capture, "replay": cmd_replay, "rogue": cmd_rogue, "flood": cmd_flood}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
