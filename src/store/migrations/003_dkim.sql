-- 003_dkim.sql: the DKIM verdict of each report in full (RFC 8460 §3; RFC 8601 result words),
-- as the milter's own verifier or a trusted Authentication-Results field gave it.
ALTER TABLE tlsrpt.reports
    ADD COLUMN dkim_selector      text,
    ADD COLUMN dkim_algorithm     text,    -- rsa-sha256 | ed25519-sha256 | rsa-sha1 | ...
    ADD COLUMN dkim_source        text,    -- milter | authserv:<authserv-id>
    ADD COLUMN dkim_dnssec        text,    -- secure | insecure | bogus | unknown
    -- a passing signature whose d= is aligned with the reporter (the RFC 8460 §3 rule)
    ADD COLUMN dkim_authenticated boolean NOT NULL DEFAULT false,
    -- a trusted Authentication-Results verdict recorded beside the milter's own
    ADD COLUMN authserv_dkim      text;

-- Reports stored before: a pass from the trusted verifier whose domain is the reporter's, or a
-- parent or child of it, counts as authenticated (what RequireDKIM checked).
UPDATE tlsrpt.reports
SET dkim_authenticated = true, dkim_source = 'authserv'
WHERE dkim_result = 'pass' AND dkim_domain IS NOT NULL
  AND (dkim_domain = reporter
       OR (position('.' IN dkim_domain) > 0
           AND right(reporter, length(dkim_domain) + 1) = '.' || dkim_domain)
       OR (position('.' IN reporter) > 0
           AND right(dkim_domain, length(reporter) + 1) = '.' || reporter));

-- A copy that was replaced by an authenticated one keeps its DKIM facts and why it moved here.
ALTER TABLE tlsrpt.report_conflicts
    ADD COLUMN dkim_selector      text,
    ADD COLUMN dkim_authenticated boolean NOT NULL DEFAULT false,
    ADD COLUMN reason             text;

CREATE INDEX reports_received_at_idx ON tlsrpt.reports (received_at);

-- Who sends reports, since when, and how many of them were DKIM-authenticated.
CREATE OR REPLACE VIEW tlsrpt.reporters AS
SELECT organization_name, min(received_at) AS first_seen, max(received_at) AS last_seen,
       count(*) AS reports,
       count(*) FILTER (WHERE dkim_authenticated) AS authenticated_reports
FROM tlsrpt.reports
GROUP BY organization_name;
