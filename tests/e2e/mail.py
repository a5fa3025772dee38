#!/usr/bin/env python3
"""mail.py: report emails for the end-to-end tests, the load program and the demo.

  mail.py report [--org O] [--id ID] [--contact C] [--domain D] [--json] [--failures N]
                             a report email (RFC 8460 §5.3: multipart/report, gzip part)
  mail.py wrap FILE          a bare .json / .gz report wrapped into such an email
  mail.py plain [--subject S] [--size N]
                             an ordinary message (N bytes of body text)
  mail.py send [--host H] [--port P] [--from F] [--crlf] [--bare] --to T [--to T ...] FILE
                             sends FILE ('-': stdin) over SMTP and prints the final reply as
                             "CODE TEXT" (the RCPT reply when every recipient was refused,
                             000 when the server could not be reached). --crlf: every line
                             end as CRLF, as a real MTA sends it (Sendmail refuses bare LF);
                             --bare: RCPT TO:addr without angle brackets
Python standard library only.
"""
import argparse
import email.utils
import gzip
import json
import smtplib
import sys
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText


def report_json(org, report_id, contact, domain, failures=0, success=10, day="2026-03-01"):
    """An RFC 8460 §4.4 report for one STS policy."""
    policy = {
        "policy": {"policy-type": "sts", "policy-domain": domain,
                   "policy-string": ["version: STSv1", "mode: enforce", f"mx: mx.{domain}",
                                     "max_age: 86400"],
                   "mx-host": [f"mx.{domain}"]},
        "summary": {"total-successful-session-count": success,
                    "total-failure-session-count": failures},
    }
    if failures:
        policy["failure-details"] = [{
            "result-type": "certificate-expired", "sending-mta-ip": "192.0.2.25",
            "receiving-mx-hostname": f"mx.{domain}", "receiving-ip": "198.51.100.7",
            "failed-session-count": failures}]
    return json.dumps({
        "organization-name": org,
        "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
        "contact-info": contact, "report-id": report_id, "policies": [policy]}, indent=1)


def report_email(payload, filename, gzipped, submitter, domain, report_id, sender):
    """Wraps report bytes the way RFC 8460 §5.3 describes (human part + machine part)."""
    msg = MIMEMultipart("report", report_type="tlsrpt")
    msg["From"] = sender
    msg["To"] = f"tlsrpt@{domain}"
    msg["Subject"] = f"Report Domain: {domain} Submitter: {submitter} Report-ID: <{report_id}>"
    msg["Date"] = email.utils.formatdate(localtime=False)
    msg["Message-ID"] = email.utils.make_msgid(domain=submitter)
    msg["TLS-Report-Domain"] = domain
    msg["TLS-Report-Submitter"] = submitter
    msg.attach(MIMEText(f"This is an aggregate TLS report from {submitter}.\n"))
    subtype = "tlsrpt+gzip" if gzipped else "tlsrpt+json"
    part = MIMEApplication(payload, subtype)  # base64 transfer encoding
    part.add_header("Content-Disposition", "attachment", filename=filename)
    msg.attach(part)
    return msg.as_bytes()


def make_report(a):
    submitter = a.contact.rsplit("@", 1)[-1]
    body = report_json(a.org, a.id, a.contact, a.domain, a.failures, day=a.day).encode()
    name = f"{submitter}!{a.domain}!1772323200!1772409599.json"
    if not a.json:
        body, name = gzip.compress(body, mtime=0), name + ".gz"
    return report_email(body, name, not a.json, submitter, a.domain, a.id, a.contact)


def wrap(path):
    data = open(path, "rb").read()
    gzipped = data[:2] == b"\x1f\x8b"
    name = path.rsplit("/", 1)[-1]
    return report_email(data, name, gzipped, "reporter.example", "example.test",
                        name, "reports@reporter.example")


def plain(subject, size):
    line = b"The quick brown fox jumps over the lazy dog, again and again.\r\n"
    body = (line * (size // len(line) + 1))[:size] if size else b"Hello Alice.\r\n"
    head = (f"From: bob@sender.example\r\nTo: alice@example.test\r\nSubject: {subject}\r\n"
            f"Date: {email.utils.formatdate()}\r\n"
            f"Message-ID: {email.utils.make_msgid(domain='sender.example')}\r\n\r\n")
    return head.encode() + body


def crlf(data):
    """Every line end as CRLF (RFC 5321 §2.3.8), the way a sending MTA puts it on the wire."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def send(host, port, sender, rcpts, data, timeout=120, bare=False):
    """Returns (code, text) of the final SMTP reply."""
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as s:
            s.ehlo("client.example")
            code, resp = s.mail(sender)
            if code >= 400:
                return code, resp.decode(errors="replace")
            last = None
            accepted = 0
            for r in rcpts:
                code, resp = s.docmd("RCPT", f"TO:{r}") if bare else s.rcpt(r)
                if code < 400:
                    accepted += 1
                else:
                    last = (code, resp.decode(errors="replace"))
            if not accepted:
                s.rset()
                return last
            code, resp = s.data(data)
            return code, resp.decode(errors="replace")
    except smtplib.SMTPDataError as e:  # DATA itself refused (e.g. a milter's 451 at DATA)
        return e.smtp_code, e.smtp_error.decode(errors="replace")
    except smtplib.SMTPServerDisconnected as e:
        return 0, f"disconnected: {e}"
    except (OSError, smtplib.SMTPException) as e:
        return 0, f"connection failed: {e}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("report")
    r.add_argument("--org", default="Reporter Inc.")
    r.add_argument("--id", default="2026-03-01T00:00:00Z_example.test")
    r.add_argument("--contact", default="tls-reports@reporter.example")
    r.add_argument("--domain", default="example.test")
    r.add_argument("--json", action="store_true", help="plain JSON part instead of gzip")
    r.add_argument("--failures", type=int, default=0)
    r.add_argument("--day", default="2026-03-01", help="the report's day (YYYY-MM-DD)")
    w = sub.add_parser("wrap")
    w.add_argument("file")
    pl = sub.add_parser("plain")
    pl.add_argument("--subject", default="Hello")
    pl.add_argument("--size", type=int, default=0)
    s = sub.add_parser("send")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=10025)
    s.add_argument("--from", dest="sender", default="reports@reporter.example")
    s.add_argument("--to", action="append", required=True)
    s.add_argument("--crlf", action="store_true", help="send every line end as CRLF")
    s.add_argument("--bare", action="store_true", help="RCPT TO:addr without angle brackets")
    s.add_argument("file")
    a = p.parse_args()
    if a.cmd == "send":
        data = sys.stdin.buffer.read() if a.file == "-" else open(a.file, "rb").read()
        if a.crlf:
            data = crlf(data)
        code, text = send(a.host, a.port, a.sender, a.to, data, bare=a.bare)
        print(f"{code:03d} {' '.join(text.split())}")
        return
    out = {"report": lambda: make_report(a), "wrap": lambda: wrap(a.file),
           "plain": lambda: plain(a.subject, a.size)}[a.cmd]()
    sys.stdout.buffer.write(out)


if __name__ == "__main__":
    main()
