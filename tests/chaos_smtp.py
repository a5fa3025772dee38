#!/usr/bin/python3
"""chaos_smtp.py: the client side of tests/chaos_smtp.sh (python3-dkim: run with /usr/bin/python3).

  chaos_smtp.py send -n N -c M --port P --key KEY --out HANDED [--duration S]
      N DKIM-signed report emails (distinct report-ids) over M parallel SMTP sessions to the
      sending MTA on P; every report-id the MTA accepted with 250 is written to HANDED, one a
      line. A refused or broken session is retried on a new connection up to 20 times (the
      MTA may be restarting), so what counts is exactly what the MTA took responsibility for.
  chaos_smtp.py big -n N --port P --key KEY --details D
      N signed reports of D failure-details each, sent at once: slow to store, they hold the
      milter's database pool while the others wait.
"""
import argparse
import gzip
import json
import os
import smtplib
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import load_smtp  # noqa: E402  (build_messages, sign)
import mail  # noqa: E402


def send_all(messages, ids, port, sessions, duration=0.0):
    """Sends every message; with `duration`, paced to take about that many seconds."""
    lock = threading.Lock()
    state = {"next": 0, "handed": [], "lost": []}
    t0 = time.monotonic()

    def take():
        with lock:
            i = state["next"]
            state["next"] += 1
        if i >= len(messages):
            return None
        if duration:
            time.sleep(max(0.0, t0 + duration * i / len(messages) - time.monotonic()))
        return i

    def worker():
        conn = None
        while (i := take()) is not None:
            for attempt in range(20):
                try:
                    if conn is None:
                        conn = smtplib.SMTP("127.0.0.1", port, timeout=60)
                        conn.ehlo("chaos.example")
                    conn.sendmail("tls@load.example", ["tlsrpt@example.test"], messages[i])
                    with lock:
                        state["handed"].append(ids[i])
                    break
                except (smtplib.SMTPException, OSError):
                    conn = None
                    time.sleep(0.5)
            else:
                with lock:
                    state["lost"].append(ids[i])
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                pass

    threads = [threading.Thread(target=worker) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state["handed"], state["lost"]


def big_messages(n, details, key):
    out, ids = [], []
    for i in range(n):
        rid = f"chaos-big-{int(time.time())}-{i}"
        report = json.loads(mail.report_json("Load Reporter", rid, "tls@load.example",
                                             "example.test", failures=1))
        policy = report["policies"][0]
        policy["failure-details"] = policy["failure-details"] * details
        body = json.dumps(report).encode()
        m = mail.report_email(gzip.compress(body, mtime=0), f"{rid}.json.gz", True,
                              "load.example", "example.test", rid, "tls@load.example")
        out.append(load_smtp.sign(m, key, "load"))
        ids.append(rid)
    return out, ids


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["send", "big"])
    p.add_argument("-n", type=int, default=1000)
    p.add_argument("-c", type=int, default=50)
    p.add_argument("--port", type=int, default=10027)
    p.add_argument("--key", required=True)
    p.add_argument("--out")
    p.add_argument("--details", type=int, default=40000)
    p.add_argument("--duration", type=float, default=0.0, help="pace the sending over S seconds")
    p.add_argument("--ready", help="file to create when the messages are built")
    a = p.parse_args()
    key = open(a.key, "rb").read()
    if a.mode == "big":
        msgs, ids = big_messages(a.n, a.details, key)
        handed, lost = send_all(msgs, ids, a.port, a.n)
        with open(a.out, "w") as f:
            f.write("".join(r + "\n" for r in handed))
        print(f"big reports handed over: {len(handed)} of {a.n}")
        return 0
    tag = f"chaos{int(time.time())}"
    msgs = load_smtp.build_messages(a.n, tag, key)
    ids = [f"load-{tag}-{i:06d}" for i in range(a.n)]
    if a.ready:
        open(a.ready, "w").close()  # the messages are built: sending starts now
    t0 = time.monotonic()
    handed, lost = send_all(msgs, ids, a.port, a.c, a.duration)
    with open(a.out, "w") as f:
        f.write("".join(r + "\n" for r in handed))
    print(f"handed over {len(handed)} of {a.n} in {time.monotonic() - t0:.1f} s "
          f"(never accepted: {len(lost)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
