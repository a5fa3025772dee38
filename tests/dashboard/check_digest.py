#!/usr/bin/env python3
"""check_digest.py PAGE.html MAIL.eml CONNINFO FROM TO: the digest `tlsrptctl digest` wrote for
the report days FROM..TO against the database. The page: each domain's reports, successful
and failed sessions in the overview (data-v) equal the daily_sessions view's; every inline SVG
is well-formed XML; no <script>, no event handler, no external URL (it must render in mail
clients that block remote content). The mail: RFC 5322 that Python's email module reads as
multipart/alternative with a text/plain and a text/html part, the HTML part the page.
Prints one PASS/FAIL line per check. Python standard library only (psql for the figures)."""
import email
import email.policy
import html.parser
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

fails = 0


def check(name, ok, why=""):
    global fails
    print(f"PASS {name}" if ok else f"FAIL {name}: {why}")
    fails += 0 if ok else 1


class Overview(html.parser.HTMLParser):
    """domain -> [data-v values] of the rows of table#overview."""

    def __init__(self):
        super().__init__()
        self.rows, self.inside, self.domain = {}, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.inside = a.get("id") == "overview"
        elif self.inside and tag == "tr" and "data-domain" in a:
            self.domain = a["data-domain"]
            self.rows[self.domain] = []
        elif self.inside and tag == "td" and self.domain and "data-v" in a:
            self.rows[self.domain].append(int(a["data-v"]))

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False


class FailureTypes(html.parser.HTMLParser):
    """domain -> sum of the failed sessions of its table.failure-types."""

    def __init__(self):
        super().__init__()
        self.sums, self.domain, self.inside = {}, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and a.get("class") == "domain":
            self.domain = a.get("data-domain")
        elif tag == "table":
            self.inside = a.get("class") == "failure-types"
        elif self.inside and tag == "td" and "data-v" in a:
            self.sums[self.domain] = self.sums.get(self.domain, 0) + int(a["data-v"])

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False


def main():
    page_path, eml_path, conninfo, day_from, day_to = sys.argv[1:6]
    page = open(page_path, encoding="utf-8").read()
    q = f"""SELECT s.policy_domain, (SELECT count(DISTINCT p.report_pk) FROM tlsrpt.policies p
              WHERE p.policy_domain = s.policy_domain AND p.day BETWEEN '{day_from}' AND '{day_to}'),
              sum(s.successful), sum(s.failed)
            FROM tlsrpt.daily_sessions s WHERE s.day BETWEEN '{day_from}' AND '{day_to}'
            GROUP BY 1 ORDER BY 1"""
    out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-d", conninfo, "-c", q],
                         capture_output=True, text=True, check=True).stdout
    want = {l.split("\t")[0]: [int(x) for x in l.split("\t")[1:]] for l in out.splitlines()}
    p = Overview()
    p.feed(page)
    check("digest-overview-figures-equal-the-database", p.rows == want,
          f"page {p.rows}, database {want}")
    # each domain has at most three result types (gen_reports.py), so its table lists them all
    # and they add up to its failed sessions (one policy type per report, as the totals)
    types = FailureTypes()
    types.feed(page)
    failed = {d: v[2] for d, v in want.items() if v[2]}
    check("digest-failure-types-add-up-to-failed-sessions", types.sums == failed,
          f"failure types {types.sums}, failed sessions {failed}")
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    bad = []
    for s in svgs:
        try:
            ET.fromstring(s)
        except ET.ParseError as e:
            bad.append(str(e))
    check("digest-svg-well-formed", svgs and not bad, f"{len(svgs)} charts, errors {bad[:2]}")
    check("digest-charts-per-domain", len(svgs) >= 2 * len(want), f"{len(svgs)} charts for {len(want)} domains")
    lower = page.lower()
    check("digest-no-script", "<script" not in lower and not re.search(r"\son[a-z]+\s*=", lower))
    external = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", lower) + \
        re.findall(r"url\(\s*['\"]?(?:https?:|//)", lower) + re.findall(r"@import", lower)
    check("digest-no-external-url", not external, str(external[:3]))
    msg = email.message_from_binary_file(open(eml_path, "rb"), policy=email.policy.default)
    parts = [part.get_content_type() for part in msg.iter_parts()] if msg.is_multipart() else []
    check("digest-mail-multipart-alternative",
          msg.get_content_type() == "multipart/alternative" and parts == ["text/plain", "text/html"],
          f"{msg.get_content_type()} {parts}")
    html_part = msg.get_body(preferencelist=("html",))
    text_part = msg.get_body(preferencelist=("plain",))
    check("digest-mail-parts-utf-8",
          all(part.get_content_charset() == "utf-8" for part in msg.iter_parts()),
          str([part.get_content_charset() for part in msg.iter_parts()]))
    check("digest-mail-html-is-the-page",
          html_part is not None and html_part.get_content().strip() == page.strip())
    text = text_part.get_content() if text_part is not None else ""
    check("digest-mail-text-has-every-domain", all(d in text for d in want), text[:200])
    check("digest-mail-headers", all(msg[h] for h in ("From", "To", "Subject", "Date", "Message-ID")),
          str(dict(msg.items())))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
