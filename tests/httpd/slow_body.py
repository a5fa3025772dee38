#!/usr/bin/env python3
# slow_body.py: posts a chunked body slowly (8 KiB every 50 ms, up to TOTAL bytes) and prints
# "STATUS SENT": the status the server answered and how many body bytes it took before it
# stopped reading. slow_body.py PORT TOTAL
import socket, sys, time
port, total = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"POST /v1/tlsrpt HTTP/1.1\r\nHost: x\r\nContent-Type: application/tlsrpt+json\r\n"
          b"Transfer-Encoding: chunked\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n")
sent, chunk = 0, b"{" + b" " * 8191
status = "none"
try:
    while sent < total:
        s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sent += len(chunk)
        time.sleep(0.05)
        s.setblocking(False)
        try:
            got = s.recv(4096)
            if got:
                status = got.split(b" ")[1].decode()
                break
        except BlockingIOError:
            pass
        finally:
            s.setblocking(True)
except (BrokenPipeError, ConnectionResetError):
    pass
if status == "none":
    try:
        s.settimeout(5)
        got = s.recv(4096)
        status = got.split(b" ")[1].decode() if got else "closed"
    except Exception:
        status = "closed"
print(status, sent)
