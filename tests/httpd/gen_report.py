#!/usr/bin/env python3
# gen_report.py: writes a valid RFC 8460 §4.4 report with a given report-id to stdout, for the
# tlsrpt-httpd tests (distinct reports, so every POST is a new row). gen_report.py ID [gzip]
import gzip, json, sys
rid = sys.argv[1]
r = {
    "organization-name": "Test Reporter",
    "date-range": {"start-datetime": "2026-12-01T00:00:00Z", "end-datetime": "2026-12-01T23:59:59Z"},
    "contact-info": "tlsrpt@reporter.example",
    "report-id": rid,
    "policies": [{
        "policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce",
                   "mx: mx.example.test", "max_age: 86400"], "policy-domain": "example.test"},
        "summary": {"total-successful-session-count": 10, "total-failure-session-count": 1},
        "failure-details": [{"result-type": "certificate-expired", "sending-mta-ip": "192.0.2.1",
                             "receiving-mx-hostname": "mx.example.test", "failed-session-count": 1}],
    }],
}
data = json.dumps(r).encode()
sys.stdout.buffer.write(gzip.compress(data) if len(sys.argv) > 2 else data)
