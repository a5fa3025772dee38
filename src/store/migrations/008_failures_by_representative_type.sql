-- 008_failures_by_representative_type.sql: failed sessions counted under the one policy type
-- that represents a report's sessions (RFC 8460 §4.4), so breakdowns add up to the totals.
--
-- daily_sessions and report_sessions take, per report, day and policy domain, the sessions of
-- one policy type (type_rank 1: the most sessions, then sts, tlsa, the rest by name). The
-- failure breakdown used to take per result type the largest count over every policy type of
-- the report instead: a report giving sts certificate-expired 10 and tlsa dane-required 10 for
-- the same 10 failed sessions showed 20 failed sessions by result type against 10 in the
-- totals. Now the failures are those of the representative policy type only.

-- The policy type of each report, day and domain whose counts stand for its sessions.
CREATE VIEW tlsrpt.representative_types AS
SELECT report_pk, day, policy_domain, policy_type
FROM tlsrpt.report_sessions
WHERE type_rank = 1;

CREATE OR REPLACE VIEW tlsrpt.daily_failures AS
SELECT f.day, f.policy_domain, f.result_type, sum(f.sessions) AS sessions
FROM tlsrpt.failure_sessions f
JOIN tlsrpt.representative_types t
  ON t.report_pk = f.report_pk AND t.day = f.day AND t.policy_type = f.policy_type
 AND t.policy_domain IS NOT DISTINCT FROM f.policy_domain
GROUP BY f.day, f.policy_domain, f.result_type;
