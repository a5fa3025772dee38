#!/usr/bin/env python3
"""syslog_sink.py: a syslog receiver for the Sendmail tests (Sendmail logs only to syslog).

  syslog_sink.py SOCKET LOGFILE

Binds a Unix datagram socket at SOCKET (what syslog(3) writes to as /dev/log; the test runs
Sendmail in a mount namespace where /dev/log points here) and appends each message to LOGFILE
as one line, without its <PRI> prefix. Runs until SIGTERM; removes SOCKET on exit.
Python standard library only.
"""
import os
import re
import signal
import socket
import sys

PRI = re.compile(rb"^<\d{1,3}>")


def main():
    path, logfile = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)  # Sendmail's delivery agents may log as another user
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with open(logfile, "ab", buffering=0) as out:
            while True:
                data = sock.recv(65536)
                out.write(PRI.sub(b"", data).rstrip(b"\n\0") + b"\n")
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
