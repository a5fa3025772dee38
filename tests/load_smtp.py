#!/usr/bin/env python3
"""load_smtp.py: SMTP load for tlsrpt-milter (python3 standard library only).

Sends N report emails (each with its own report-id) over M parallel SMTP sessions to the
report address on --port (Postfix with the milter storing to PostgreSQL), then the same N
emails to an ordinary mailbox on --plain-port (the same Postfix, no milter), and prints the
rate of both and the milter's peak resident memory (VmHWM of /proc/PID/status).

The milter rate counts until the last 250: the milter answers only after the report is
committed. The mailbox rate counts until Postfix logged the last delivery (--maillog), since
Postfix answers 250 before it delivers. With --sign KEY every message carries a DKIM
signature of load.example (python3-dkim: run with /usr/bin/python3), so the milter verifies
each one with a key lookup. tests/load_smtp.sh sets the whole thing up.
"""
import argparse
import os
import re
import resource
import smtplib
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import mail  # noqa: E402  (tests/e2e/mail.py)


def sign(message, key, selector):
    import dkim  # python3-dkim, only for --sign
    crlf = message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    headers = [b"From", b"To", b"Subject", b"Date", b"Message-ID", b"TLS-Report-Domain",
               b"TLS-Report-Submitter", b"Content-Type", b"MIME-Version"]
    sig = dkim.sign(crlf, selector.encode(), b"load.example", key, include_headers=headers,
                    canonicalize=(b"relaxed", b"relaxed"))
    return sig + crlf


def build_messages(n, tag, key=None, selector="load"):
    """N distinct report emails: gzip parts, one report-id each; DKIM-signed with `key`."""
    out = []
    for i in range(n):
        rid = f"load-{tag}-{i:06d}"
        body = mail.report_json("Load Reporter", rid, "tls@load.example", "example.test",
                                failures=i % 3).encode()
        import gzip
        m = mail.report_email(gzip.compress(body, mtime=0), f"{rid}.json.gz", True,
                              "load.example", "example.test", rid, "tls@load.example")
        out.append(sign(m, key, selector) if key else m)
    return out


def run_sessions(port, rcpt, messages, sessions):
    """Sends every message over `sessions` parallel SMTP sessions; returns (seconds, failures)."""
    lock = threading.Lock()
    state = {"next": 0, "failures": []}

    def take():
        with lock:
            i = state["next"]
            state["next"] += 1
            return i if i < len(messages) else None

    def worker():
        conn = None
        while (i := take()) is not None:
            try:
                if conn is None:
                    conn = smtplib.SMTP("127.0.0.1", port, timeout=120)
                    conn.ehlo("load.example")
                conn.sendmail("tls@load.example", [rcpt], messages[i])
            except (smtplib.SMTPException, OSError) as e:
                with lock:
                    state["failures"].append(f"{i}: {e}")
                conn = None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                pass

    threads = [threading.Thread(target=worker) for _ in range(sessions)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0, state["failures"]


def delivered(maillog, offset, rcpt):
    with open(maillog, "rb") as f:
        f.seek(offset)
        pat = re.compile(rb"to=<" + re.escape(rcpt.encode()) + rb">.*status=sent")
        return sum(1 for line in f if pat.search(line))


def cpu_seconds(pid):
    """utime + stime of a process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_seconds():
    """CPU time the whole machine spent busy (user, nice, system, irq, softirq of /proc/stat;
    not idle, iowait or steal: time another tenant of the host took is not ours)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_seconds():
    """CPU time of this program and of the clients it ran (smtp-source)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def run_smtp_source(port, rcpt, n, sessions, per_connection):
    """Postfix's own load generator (smtp-source, C): n messages of 2,000 bytes over `sessions`
    parallel sessions, a new connection for each message when per_connection (as most MX
    traffic arrives). Returns (seconds, failures)."""
    cmd = ["/usr/sbin/smtp-source", "-s", str(sessions), "-m", str(n), "-l", "2000",
           "-M", "load.example", "-f", "tls@load.example", "-t", rcpt]
    if not per_connection:
        cmd.append("-d")
    t0 = time.monotonic()
    r = subprocess.run(cmd + [f"127.0.0.1:{port}"], capture_output=True, text=True)
    fails = [r.stderr.strip()] if r.returncode != 0 else []
    return time.monotonic() - t0, fails


def delivered_rate(a, port, messages, rcpt):
    """Sends to `port`, waits until Postfix logged every delivery. Returns messages/s until
    then, the failures, and the MX's CPU seconds per delivered message: the machine's busy
    time less the sender's and this program's, i.e. Postfix, the milter and the rest of the
    system (idle here). On a saturated MX throughput is the inverse of that cost, and it is far
    less noisy on a shared machine than wall time: another tenant's load shows as steal."""
    offset = os.path.getsize(a.maillog)
    busy0, own0 = busy_seconds(), own_seconds()
    t0 = time.monotonic()
    if a.client == "python":
        _, fails = run_sessions(port, rcpt, messages, a.c)
    else:
        _, fails = run_smtp_source(port, rcpt, len(messages), a.c, a.client == "smtp-source")
    deadline = time.monotonic() + a.timeout
    done = 0
    while time.monotonic() < deadline:
        done = delivered(a.maillog, offset, rcpt)
        if done >= len(messages) - len(fails):
            break
        time.sleep(0.1)
    missing = len(messages) - len(fails) - done
    if missing > 0:  # not delivered within --timeout: a failure, not a slower rate
        fails = fails + [f"{missing} not delivered within {a.timeout} s"]
    rate = done / (time.monotonic() - t0)
    mx_cpu = (busy_seconds() - busy0) - (own_seconds() - own0)
    return rate, fails, mx_cpu / max(done, 1)


def ordinary(a):
    """What the milter costs the mail it only passes: the same ordinary messages to a local
    user through the MX with the milter attached and through the same Postfix without it,
    --rounds pairs, the order alternating (ABBA: milter first in even pairs, last in odd ones,
    so that neither side always follows the other). Prints the median rate of each side and
    their ratio, which decides the exit status (target 0.98), the median of the ratios of each
    pair, and the same for the MX's CPU per message (see delivered_rate): without / with is the
    throughput ratio of a CPU-bound MX, measured with far less noise than the rates."""
    plain = [mail.plain(f"load ordinary {i}", 2000) for i in range(a.n)]
    cpu0 = cpu_seconds(a.milter_pid)
    with_milter, without, cost_with, cost_without = [], [], [], []
    for i in range(a.rounds):
        sides = [(a.port, with_milter, cost_with), (a.plain_port, without, cost_without)]
        for port, rates, costs in (sides if i % 2 == 0 else reversed(sides)):
            r, fails, cost = delivered_rate(a, port, plain, a.plain_rcpt)
            rates.append(r)
            costs.append(cost)
            if fails:
                print("failures:", fails[:3])
                return 1
    cpu = cpu_seconds(a.milter_pid) - cpu0
    m, w = median(with_milter), median(without)
    paired = median([x / y for x, y in zip(with_milter, without)])
    cm, cw = median(cost_with), median(cost_without)
    cpaired = median([y / x for x, y in zip(cost_with, cost_without)])
    mx = "report intake " if a.split else "milter attached"
    ms = lambda costs: ['%.3f' % (1000 * x) for x in costs]  # noqa: E731
    print(f"ordinary mail, {mx}: median {m:7.1f} msg/s {['%.0f' % x for x in with_milter]}")
    print(f"ordinary mail, no milter       : median {w:7.1f} msg/s {['%.0f' % x for x in without]}")
    print(f"ratio of the medians {m / w:.3f} (target >= 0.98), median of the {a.rounds} paired "
          f"ratios {paired:.3f}; milter CPU {1000 * cpu / (a.rounds * a.n):.3f} ms per ordinary "
          f"message")
    print(f"MX CPU per message, {mx}: median {1000 * cm:.3f} ms {ms(cost_with)}")
    print(f"MX CPU per message, no milter       : median {1000 * cw:.3f} ms {ms(cost_without)}")
    print(f"CPU-bound throughput ratio (no-milter cost / cost): of the medians {cw / cm:.3f}, "
          f"median of the {a.rounds} paired ratios {cpaired:.3f}")
    return 0 if m / w >= 0.98 else 1


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=5000, help="messages per run (default 5000)")
    p.add_argument("-c", type=int, default=50, help="parallel SMTP sessions (default 50)")
    p.add_argument("--port", type=int, default=10025, help="Postfix with the milter")
    p.add_argument("--plain-port", type=int, default=10028, help="same Postfix, no milter")
    p.add_argument("--report-rcpt", default="tlsrpt@example.test")
    p.add_argument("--plain-rcpt", default="alice@example.test")
    p.add_argument("--milter-pid", type=int, required=True)
    p.add_argument("--maillog", default="/var/log/postfix-tlsrpt-load.log")
    p.add_argument("--timeout", type=int, default=600, help="most seconds to wait for delivery")
    p.add_argument("--sign", metavar="KEY", help="DKIM-sign every message with this key file")
    p.add_argument("--tag", default="", help="report-id prefix of this run")
    p.add_argument("--skip-plain", action="store_true", help="only the milter run")
    p.add_argument("--rounds", type=int, default=20,
                   help="--ordinary: pairs of rounds, the order alternating (default 20)")
    p.add_argument("--client", choices=["python", "smtp-source", "smtp-source-keep"],
                   default="python",
                   help="--ordinary: who sends: this program's threads (sessions kept open), "
                        "Postfix's smtp-source with one connection per message, or smtp-source "
                        "keeping its sessions open")
    p.add_argument("--split", action="store_true",
                   help="the report-intake setup (contrib/postfix-split.cf): a report counts "
                        "once the MX delivered it to the intake")
    p.add_argument("--ordinary", action="store_true",
                   help="ordinary mail (not for a report address) through the MX with the milter "
                        "attached and through the same Postfix without it")
    a = p.parse_args()
    if a.rounds < 1:
        p.error("--rounds must be at least 1")

    if a.ordinary:
        return ordinary(a)
    key = open(a.sign, "rb").read() if a.sign else None
    messages = build_messages(a.n, f"{a.tag}{int(time.time())}", key)
    size = sum(len(m) for m in messages) // len(messages)
    print(f"{a.n} report emails of ~{size} bytes, {a.c} parallel SMTP sessions, "
          f"{'DKIM-signed' if key else 'unsigned'}")

    cpu0 = cpu_seconds(a.milter_pid)
    if a.split:  # stored when the MX's smtp client logs the intake's 250
        milter_rate, fails, _ = delivered_rate(a, a.port, messages, a.report_rcpt)
        secs = (a.n - len(fails)) / milter_rate if milter_rate else 0
        how = "queued at the MX, stored through the intake"
    else:
        secs, fails = run_sessions(a.port, a.report_rcpt, messages, a.c)
        milter_rate = a.n / secs
        how = "stored before each 250"
    cpu = cpu_seconds(a.milter_pid) - cpu0
    print(f"milter + PostgreSQL : {a.n} in {secs:6.2f} s = {milter_rate:7.1f} msg/s "
          f"({how}), failures {len(fails)}")
    for f in fails[:5]:
        print("  failure", f)
    rss = peak_rss_kib(a.milter_pid)
    print(f"milter peak RSS     : {rss / 1024:.1f} MiB (VmHWM); milter CPU {cpu:.2f} s "
          f"= {1000 * cpu / a.n:.2f} ms/msg")
    if a.skip_plain:
        return 0 if not fails else 1

    offset = os.path.getsize(a.maillog)
    t0 = time.monotonic()
    accept_secs, pfails = run_sessions(a.plain_port, a.plain_rcpt, messages, a.c)
    deadline = time.monotonic() + a.timeout
    done = 0
    while time.monotonic() < deadline:
        done = delivered(a.maillog, offset, a.plain_rcpt)
        if done >= a.n - len(pfails):
            break
        time.sleep(0.2)
    secs2 = time.monotonic() - t0
    plain_rate = done / secs2
    print(f"plain mailbox       : {done} in {secs2:6.2f} s = {plain_rate:7.1f} msg/s "
          f"(delivered; all 250 after {accept_secs:.2f} s), failures {len(pfails)}")
    ok = not fails and milter_rate >= plain_rate and rss < 100 * 1024
    print(f"target (milter >= mailbox rate, RSS < 100 MiB): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
