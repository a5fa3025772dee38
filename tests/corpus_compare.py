#!/usr/bin/env python3
"""corpus_compare.py: does a database hold exactly the distinct reports of EXPECTED.tsv?

  corpus_compare.py [--no-eml] EXPECTED.tsv CONNINFO

The first accept row of each organization-name|report-id gives its policies, successful and
failed session counts; `either` rows may or may not be there; nothing else may. --no-eml:
the rows of .eml files are left out (a test that posts only the bare reports). Prints one
line of totals, then every difference; exit 1 when there is one. Used by the end-to-end tests (tests/e2e/sendmail.sh, tests/httpd/run.sh, tests/imap/run.sh).
"""
import csv
import subprocess
import sys


def main():
    args = sys.argv[1:]
    no_eml = args[:1] == ["--no-eml"]
    if no_eml:
        args = args[1:]
    rows = [r for r in csv.DictReader(open(args[0]), delimiter="\t")
            if not (no_eml and r["name"].endswith(".eml"))]
    first, either = {}, set()
    for r in rows:
        if r["expect"] == "accept":
            first.setdefault(r["ids"], (int(r["policies"]), int(r["success"]), int(r["failure"])))
        elif r["expect"] == "either":
            either.update(r["ids"].split(";") if r["ids"] else [])
    q = """SELECT r.organization_name || '|' || r.report_id,
                  (SELECT count(*) FROM tlsrpt.policies p WHERE p.report_pk = r.id),
                  (SELECT coalesce(sum(total_successful_session_count), 0)
                   FROM tlsrpt.policies p WHERE p.report_pk = r.id),
                  (SELECT coalesce(sum(total_failure_session_count), 0)
                   FROM tlsrpt.policies p WHERE p.report_pk = r.id)
           FROM tlsrpt.reports r"""
    out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-d", args[1], "-c", q],
                         check=True, capture_output=True, text=True).stdout
    got, twice = {}, []
    for line in out.splitlines():
        k, p, s, f = line.split("\t")
        if k in got:
            twice.append(k)
        got[k] = (int(p), int(s), int(f))
    extra = set(got) - set(first) - either
    missing = set(first) - set(got)
    wrong = {k: (got[k], v) for k, v in first.items() if k in got and got[k] != v}

    def tot(d):
        return tuple(sum(x[i] for x in d.values()) for i in range(3))

    print(f"expected {len(first)} distinct reports {tot(first)}; database {len(got)} {tot(got)}")
    for k in sorted(missing):
        print("missing", k)
    for k in sorted(extra):
        print("unexpected", k)
    for k in sorted(twice):
        print("stored twice", k)
    for k, (g, e) in sorted(wrong.items()):
        print("different", k, "database", g, "expected", e)
    sys.exit(1 if missing or extra or wrong or twice else 0)


if __name__ == "__main__":
    main()
