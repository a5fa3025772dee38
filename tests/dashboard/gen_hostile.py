#!/usr/bin/env python3
"""gen_hostile.py OUTDIR DAY: one TLS-RPT report (RFC 8460 §4.4) a hostile reporter could send,
for the digest's bounds: 400 policy domains that all fail (far more than a page should list),
the first 30 naming MX hosts of 20,000 characters (which alerts quote), names that read as
another domain (a right-to-left override, a zero-width space, a soft hyphen, a tag character,
a hair space),
and one of 255 characters. Written to OUTDIR/hostile.json."""
import json
import pathlib
import sys


def policy(domain, ok, failed, long_mx):
    mx = [f"mx{k}." + ("m" * 20000 if long_mx else "") + domain for k in range(3)]
    return {"policy": {"policy-type": "sts", "policy-domain": domain,
                       "policy-string": ["version: STSv1", "mode: enforce", "mx: mx." + domain,
                                         "max_age: 86400"], "mx-host": ["mx." + domain]},
            "summary": {"total-successful-session-count": ok, "total-failure-session-count": failed},
            "failure-details": [{"result-type": "certificate-expired", "sending-mta-ip": "203.0.113.9",
                                 "receiving-mx-hostname": m, "failed-session-count": failed // 3 + (k == 0) * (failed % 3)}
                                for k, m in enumerate(mx)]}


def main():
    out, day = pathlib.Path(sys.argv[1]), sys.argv[2]
    out.mkdir(parents=True, exist_ok=True)
    domains = [f"flood{i:03d}.example" for i in range(400)]
    domains.append("evil\u202emoc.elpmaxe\u200b.example")
    domains.append("vic\u00adtim.example\U000E0041")
    domains.append("vic\u200atim.example")
    domains.append(".".join(["l" * 61] * 4) + ".example")  # 4 x 61 + 3 dots + 8 = 255
    policies = [policy(d, 10, 90 + i % 7, i < 30) for i, d in enumerate(domains)]
    report = {"organization-name": "Flood \u202eCorp", "contact-info": "tlsrpt@flood.example",
              "report-id": f"flood-{day}", "policies": policies,
              "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"}}
    (out / "hostile.json").write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":
    main()
