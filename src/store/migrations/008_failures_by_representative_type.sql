-- 008_failures_by_representative_type.sql: failed sessions counted under the one policy type
-- that represents a report's sessions (RFC 8460 §4.4), so breakdowns add up to the totals.
--
-- daily_sessions and report_sessions take, per report, day and policy domain, the sessions of
-- one policy type (the most sessions, then sts, tlsa, the rest by name: the rule of
-- 004_hardening.sql). The failure breakdown used to take per result type the largest count
-- over every policy type of the report instead: a report giving sts certificate-expired 10 and
-- tlsa dane-required 10 for the same 10 failed sessions showed 20 failed sessions by result
-- type against 10 in the totals. Now the failures are those of the representative type only.

-- The policy type whose counts stand for the sessions of one report, day and policy domain.
-- Reads only that report's policies of that domain (the index below), so a query over a few
-- days costs what those days hold, and a report of thousands of domains costs each failure
-- row one index probe, not a pass over the whole report. A NULL and an empty policy domain
-- count as the same (neither names a domain).
CREATE INDEX policies_report_domain_idx ON tlsrpt.policies (report_pk, coalesce(policy_domain, ''));

CREATE FUNCTION tlsrpt.representative_type(report bigint, report_day date, domain text)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.policy_type
    FROM tlsrpt.policies p
    WHERE p.report_pk = report AND coalesce(p.policy_domain, '') = coalesce(domain, '')
      AND p.day = report_day
    GROUP BY p.policy_type
    ORDER BY sum(p.total_successful_session_count::numeric + p.total_failure_session_count) DESC,
             p.policy_type = 'sts' DESC, p.policy_type = 'tlsa' DESC, p.policy_type
    LIMIT 1
$$;

-- failure_sessions as in 007, and whether the row's policy type is the representative one.
CREATE OR REPLACE VIEW tlsrpt.failure_sessions AS
SELECT p.report_pk, f.day, p.policy_domain, p.policy_type, r.reporter, r.organization_name,
       f.result_type,
       coalesce(host(f.sending_mta_ip), f.sending_mta_ip_text, '') AS sending_mta_ip,
       coalesce(f.receiving_mx_hostname, '') AS receiving_mx_hostname,
       sum(f.failed_session_count::numeric) AS sessions,
       p.policy_type = tlsrpt.representative_type(p.report_pk, f.day, p.policy_domain)
           AS representative
FROM tlsrpt.failure_details f
JOIN tlsrpt.policies p ON p.id = f.policy_pk
JOIN tlsrpt.reports r ON r.id = p.report_pk
GROUP BY p.report_pk, f.day, p.policy_domain, p.policy_type, r.reporter, r.organization_name,
         f.result_type, 8, 9;

-- Failed sessions per day, policy domain and result type, each once.
CREATE OR REPLACE VIEW tlsrpt.daily_failures AS
SELECT day, policy_domain, result_type, sum(sessions) AS sessions
FROM tlsrpt.failure_sessions
WHERE representative
GROUP BY day, policy_domain, result_type;
