#!/usr/bin/env python3
"""gen.py OUTDIR: hostile inputs of every shape the reader must survive within its budget.

Each file is small on the wire and large once read: gzip bombs of empty or tiny failure-details,
many report parts in one message, zip archives of padded entries, long policy-string and
mx-host arrays, many MIME parts (with and without Content-Type, "Content-Type :" with a
blank), deep MIME and JSON nesting, header floods, huge unknown members. Standard library only.
tests/hostile/budget.sh measures the reader's peak memory on each.
"""
import gzip
import io
import json
import os
import sys
import zipfile

B = "hostile-boundary"


def report(policies):
    return {"organization-name": "attacker.example",
            "date-range": {"start-datetime": "2026-03-01T00:00:00Z",
                           "end-datetime": "2026-03-01T23:59:59Z"},
            "contact-info": "x@attacker.example", "report-id": "hostile", "policies": policies}


def policy(details=None, **extra):
    p = {"policy": {"policy-type": "sts", "policy-domain": "example.test", **extra},
         "summary": {"total-successful-session-count": 1, "total-failure-session-count": 1}}
    if details is not None:
        p["failure-details"] = details
    return p


def gz(text):
    return gzip.compress(text.encode() if isinstance(text, str) else text, 9, mtime=0)


def b64_lines(data):
    import base64
    enc = base64.b64encode(data).decode()
    return "\r\n".join(enc[i:i + 76] for i in range(0, len(enc), 76))


def mail(parts, extra_headers=""):
    out = [f"From: x@attacker.example\r\nSubject: hostile\r\n{extra_headers}MIME-Version: 1.0\r\n"
           f"Content-Type: multipart/report; report-type=tlsrpt; boundary=\"{B}\"\r\n\r\n"]
    for ctype, data in parts:
        out.append(f"--{B}\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n\r\n")
        out.append(b64_lines(data) + "\r\n")
    out.append(f"--{B}--\r\n")
    return "".join(out).encode()


def empty_details_json(n_policies, n_details):
    # written by hand: json.dumps of millions of {} would be slow
    details = "[" + ",".join(["{}"] * n_details) + "]"
    pol = json.dumps(policy([])).replace('"failure-details": []', '"failure-details": ' + details)
    return json.dumps(report([])).replace('"policies": []', '"policies": [' +
                                          ",".join([pol] * n_policies) + "]")


def shapes():
    bomb = gz(empty_details_json(6, 1_000_000))
    yield "gzip-empty-details.eml", mail([("application/tlsrpt+gzip", bomb)])
    small = gz(empty_details_json(1, 400_000))
    yield "many-gzip-parts.eml", mail([("application/tlsrpt+gzip", small)] * 32)
    tiny = json.dumps({"result-type": "x", "failed-session-count": 1})
    minimal = json.dumps(report([policy([])])).replace(
        '"failure-details": []', '"failure-details": [' + ",".join([tiny] * 500_000) + "]")
    yield "gzip-minimal-details.eml", mail([("application/tlsrpt+gzip", gz(minimal))])
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        padded = json.dumps(report([policy()])) + " " * 19_000_000
        for i in range(32):
            z.writestr(f"r{i}.json", padded)
    yield "zip-padded-entries.eml", mail([("application/zip", zbuf.getvalue())])
    strings = ["mx: a.example"] * 10_000
    many = json.dumps(report([policy(**{"policy-string": strings, "mx-host": strings})] * 2000))
    yield "long-policy-strings.eml", mail([("application/tlsrpt+gzip", gz(many))])
    unknown = json.dumps(report([policy()])).replace(
        '"policies"', '"x-unknown": [' + ",".join(['"a"'] * 3_000_000) + '], "policies"')
    yield "huge-unknown-member.eml", mail([("application/tlsrpt+gzip", gz(unknown))])
    nested = "{" + '"a":[' * 5000 + "]" * 5000 + "}"
    yield "deep-json.eml", mail([("application/tlsrpt+gzip", gz(nested))])
    # MIME floods: parts without Content-Type, and "Content-Type :" with a blank
    body = "".join(f"--{B}\r\n\r\nx\r\n" for _ in range(300_000))
    yield "mime-parts-no-type.eml", (
        f"From: x@attacker.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
        f"boundary=\"{B}\"\r\n\r\n{body}--{B}--\r\n").encode()
    body = "".join(f"--{B}\r\nContent-Type : text/plain\r\n\r\nx\r\n" for _ in range(200_000))
    yield "mime-parts-blank-colon.eml", (
        f"From: x@attacker.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
        f"boundary=\"{B}\"\r\n\r\n{body}--{B}--\r\n").encode()
    deep = "".join(f"--b{i}\r\nContent-Type : multipart/mixed; boundary=\"b{i + 1}\"\r\n\r\n"
                   for i in range(20_000))
    yield "mime-deep-blank-colon.eml", (
        "From: x@attacker.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
        f"boundary=\"b0\"\r\n\r\n{deep}").encode()
    headers = "".join(f"X-H{i}: v\r\n" for i in range(1_000_000))
    yield "header-flood.eml", mail([("application/tlsrpt+gzip", gz(json.dumps(report([policy()]))))],
                                   headers)
    part_headers = "".join(f"X-P{i}: v\r\n" for i in range(1_000_000))
    yield "part-header-flood.eml", (
        f"From: x@attacker.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
        f"boundary=\"{B}\"\r\n\r\n--{B}\r\n{part_headers}Content-Type: application/tlsrpt+json\r\n"
        f"\r\n{json.dumps(report([policy()]))}\r\n--{B}--\r\n").encode()


def within_budget():
    """Inputs just inside the default budget (8 MiB decompressed, 50,000 failure-details,
    500,000 values): the most a message can make the reader hold without being refused."""
    long = "h" * 200
    detail = json.dumps({"result-type": "certificate-expired", "sending-mta-ip": "192.0.2.1",
                         "receiving-mx-hostname": long, "receiving-mx-helo": long,
                         "receiving-ip": "198.51.100.2", "failed-session-count": 1,
                         "additional-information": long, "failure-reason-code": long})
    n = (8 * 1024 * 1024 - 4096) // (len(detail) + 1)
    big = json.dumps(report([policy([])])).replace(
        '"failure-details": []', '"failure-details": [' + ",".join([detail] * n) + "]")
    yield "budget-long-details.eml", mail([("application/tlsrpt+gzip", gz(big))])
    short = json.dumps({"result-type": "x", "failed-session-count": 1})
    many = json.dumps(report([policy([])])).replace(
        '"failure-details": []', '"failure-details": [' + ",".join([short] * 49_000) + "]")
    yield "budget-short-details.eml", mail([("application/tlsrpt+gzip", gz(many))])
    values = json.dumps(report([policy(**{"policy-string": ["a"] * 9_000}) for _ in range(55)]))
    yield "budget-values.eml", mail([("application/tlsrpt+gzip", gz(values))])
    numbers = json.dumps(report([policy()])).replace(
        '"policies"', '"x-unknown": [' + ",".join(["1"] * 4_000_000) + '], "policies"')
    yield "budget-structurals.eml", mail([("application/tlsrpt+gzip", gz(numbers))])
    part = json.dumps(report([policy([])])).replace(
        '"failure-details": []', '"failure-details": [' + ",".join([detail] * 330) + "]")
    yield "budget-many-parts.eml", mail([("application/tlsrpt+gzip", gz(part))] * 20)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in list(shapes()) + list(within_budget()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(name, len(data))


if __name__ == "__main__":
    main()
