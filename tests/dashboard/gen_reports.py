#!/usr/bin/env python3
"""gen_reports.py OUTDIR LAST_DAY DAYS: writes TLS-RPT reports (RFC 8460 §4.4 JSON, one file
each) for the dashboard and digest tests: four policy domains, three reporters, DAYS report
days ending on LAST_DAY, several result types (RFC 8460 §4.3), sending MTAs and MX hosts; one
reporter lists one domain under both sts and tlsa in one report (as Microsoft does), with
different result types for the same failed sessions, so the once-per-session rule is exercised; another writes its counts as strings (a quirk).
Deterministic (fixed seed)."""
import datetime
import json
import pathlib
import random
import sys

REPORTERS = [  # organization-name, contact-info
    ("Google Inc. – Zürich", "smtp-tls-reporting@google.example"),  # not ASCII: the charset
    ("Microsoft Corporation", "tlsrpt@microsoft.example"),
    ("Small MTA", "postmaster@small-mta.test"),
]
DOMAINS = {  # domain: (mx, failure result types, failure share)
    "shop.example": ("mx1.shop.example", ["certificate-expired", "starttls-not-supported"], 0.04),
    "mail.example.org": ("mx.mail.example.org", ["sts-policy-fetch-error"], 0.01),
    "dane.example.net": ("mx.dane.example.net", ["tlsa-invalid", "validation-failure"], 0.02),
    "quiet.example": ("mx.quiet.example", [], 0.0),
}


def policy(ptype, domain, mx, ok, failed, details):
    strings = (["version: STSv1", "mode: enforce", "mx: " + mx, "max_age: 604800"]
               if ptype == "sts" else ["3 1 1 " + "ab" * 32])
    return {"policy": {"policy-type": ptype, "policy-string": strings, "policy-domain": domain,
                       "mx-host": [mx]},
            "summary": {"total-successful-session-count": ok,
                        "total-failure-session-count": failed},
            "failure-details": details}


def details_for(rng, mx, types, failed):
    out, left = [], failed
    for i, t in enumerate(types):
        n = left if i == len(types) - 1 else rng.randint(0, left)
        left -= n
        if n:
            out.append({"result-type": t, "sending-mta-ip": f"198.51.100.{10 + i}",
                        "receiving-mx-hostname": mx, "receiving-ip": "192.0.2.25",
                        "failed-session-count": n})
    return out


def main():
    out, last, days = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(8460)
    last_day = datetime.date.fromisoformat(last)
    n = 0
    for back in range(days):
        day = last_day - datetime.timedelta(days=back)
        for ri, (org, contact) in enumerate(REPORTERS):
            if ri == 2 and back % 3 == 1:
                continue  # the small reporter skips some days
            policies = []
            for domain, (mx, types, share) in DOMAINS.items():
                total = rng.randint(200, 5000) // (ri + 1)
                failed = int(total * share * rng.uniform(0.3, 1.7)) if types else 0
                if domain == "shop.example" and back >= 6:
                    failed = 0  # the certificate expired six days before the last day
                details = details_for(rng, mx, types, failed)
                if domain == "dane.example.net" and ri == 1:
                    # the same sessions under both policy types of one report, each policy
                    # naming its own result type for them
                    sts_details = [dict(x, **{"result-type": "sts-webpki-invalid"}) for x in details]
                    policies.append(policy("sts", domain, mx, total - failed, failed, sts_details))
                    policies.append(policy("tlsa", domain, mx, total - failed, failed, details))
                else:
                    ptype = "tlsa" if domain == "dane.example.net" else "sts"
                    policies.append(policy(ptype, domain, mx, total - failed, failed, details))
            if ri == 2:  # the small reporter writes counts as strings (a quirk, RFC 8460 §4.4)
                for p in policies:
                    for k, v in p["summary"].items():
                        p["summary"][k] = str(v)
            report = {"organization-name": org,
                      "date-range": {"start-datetime": f"{day}T00:00:00Z",
                                     "end-datetime": f"{day}T23:59:59Z"},
                      "contact-info": contact, "report-id": f"gen-{ri}-{day}",
                      "policies": policies}
            (out / f"report-{ri}-{day}.json").write_text(json.dumps(report, indent=1))
            n += 1
    print(n)


if __name__ == "__main__":
    main()
