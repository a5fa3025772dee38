#!/usr/bin/env python3
"""raw_http.py: requests curl will not send, written to the socket as they are.

  raw_http.py PORT pipeline N      N pipelined GETs on one connection: prints how many were
                                   answered before the server closed it
  raw_http.py PORT framing CASE    CASE: two-lengths, te-and-length, bad-chunk: prints the status
  raw_http.py PORT pause SECONDS   a body that stops half-way for SECONDS: prints the status
  raw_http.py PORT slow FILE SECS  FILE's body spread over SECS seconds (a reload meanwhile):
                                   prints the status
Python standard library only.
"""
import socket
import sys
import time

HEAD = b"POST /v1/tlsrpt HTTP/1.1\r\nHost: t\r\nContent-Type: application/tlsrpt+json\r\n"
REPORT = b'{"organization-name":"Raw","report-id":"raw-1","policies":[]}'


def status_of(s, timeout=30):
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            got = s.recv(4096)
            if not got:
                break
            data += got
    except (socket.timeout, ConnectionResetError):
        pass
    return data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "closed"


def pipeline(port, n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /v1/tlsrpt HTTP/1.1\r\nHost: t\r\n\r\n" * n)
    s.settimeout(5)
    data = b""
    try:
        while True:
            got = s.recv(65536)
            if not got:
                break
            data += got
    except socket.timeout:
        pass
    print(data.count(b"HTTP/1.1 405"))


def framing(port, case):
    body = REPORT
    if case == "two-lengths":
        req = HEAD + b"Content-Length: %d\r\nContent-Length: 5\r\n\r\n" % len(body) + body
    elif case == "te-and-length":
        req = (HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n\r\n" % len(body) +
               b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    else:  # bad-chunk
        req = HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + b"\r\n0\r\n\r\n"
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    print(status_of(s))


def pause(port, seconds):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(HEAD + b"Content-Length: %d\r\n\r\n" % len(REPORT) + REPORT[:10])
    time.sleep(seconds)
    print(status_of(s))


def slow(port, path, seconds):
    body = open(path, "rb").read()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(HEAD + b"Content-Length: %d\r\n\r\n" % len(body))
    steps = 20
    for i in range(steps):
        s.sendall(body[i * len(body) // steps:(i + 1) * len(body) // steps])
        time.sleep(seconds / steps)
    print(status_of(s))


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "pipeline":
        pipeline(port, int(sys.argv[3]))
    elif mode == "framing":
        framing(port, sys.argv[3])
    elif mode == "pause":
        pause(port, float(sys.argv[3]))
    else:
        slow(port, sys.argv[3], float(sys.argv[4]))


if __name__ == "__main__":
    main()
