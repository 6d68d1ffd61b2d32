#!/usr/bin/env python3
"""A Unix datagram listener for faild's namespace tests: stands in for the
syslog socket (/dev/log) and for systemd's NOTIFY_SOCKET.

  dgram_listen.py ADDRESS OUT [SECONDS]

binds ADDRESS (a path, or '@name' for an abstract name, as NOTIFY_SOCKET
spells it), writes "listening" to OUT.ready once bound, then appends each
datagram received to OUT as one line (newlines inside a datagram become
'|': READY=1\\nSTATUS=x is one line "READY=1|STATUS=x"), flushed at once.
Exits after SECONDS (default 300) or on SIGTERM; bounded either way.
"""
import os
import signal
import socket
import sys
import time


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    address, out = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) == 4 else 300.0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if address.startswith('@'):
        sock.bind('\0' + address[1:])
    else:
        if os.path.exists(address):
            os.unlink(address)
        sock.bind(address)
        os.chmod(address, 0o666)
    with open(out + '.ready', 'w') as r:
        r.write('listening\n')
    deadline = time.monotonic() + seconds
    with open(out, 'a') as f:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            sock.settimeout(left)
            try:
                data = sock.recv(65536)
            except socket.timeout:
                return
            f.write(data.decode('utf-8', 'replace').rstrip('\n').replace('\n', '|') + '\n')
            f.flush()


if __name__ == '__main__':
    main()
