-- 004_hardening.sql: failures that cannot recur forever, and figures that are right.

-- A quarantined message is kept once: a retry after a late 451 finds it by its hash. Rows kept
-- before this migration have no hash (NULL never conflicts).
ALTER TABLE tlsrpt.rejected_messages ADD COLUMN message_hash text;
CREATE UNIQUE INDEX rejected_messages_message_hash_key ON tlsrpt.rejected_messages (message_hash);

-- Messages whose storing failed temporarily while the database itself answered, by hash: after
-- a bounded number of attempts or a bounded age the milter quarantines the message with the
-- reason instead of answering 451 until the sender's queue expires.
CREATE TABLE tlsrpt.failed_attempts (
    message_hash text PRIMARY KEY,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    last_seen    timestamptz NOT NULL DEFAULT now(),
    attempts     integer NOT NULL DEFAULT 1,
    last_error   text NOT NULL
);

-- Sums in numeric: counts are bounded (2^40 each) but a view sums many of them.
DROP VIEW tlsrpt.daily_summary;
CREATE VIEW tlsrpt.daily_summary AS
SELECT p.day, p.policy_domain, p.policy_type, r.organization_name,
       count(DISTINCT r.id) AS reports,
       sum(p.total_successful_session_count::numeric) AS successful,
       sum(p.total_failure_session_count::numeric) AS failed,
       round(100.0 * sum(p.total_successful_session_count::numeric) /
             nullif(sum(p.total_successful_session_count::numeric +
                        p.total_failure_session_count), 0), 2) AS success_rate
FROM tlsrpt.policies p
JOIN tlsrpt.reports r ON r.id = p.report_pk
GROUP BY p.day, p.policy_domain, p.policy_type, r.organization_name;

-- Sessions per day and policy domain, each session counted once. A sender may report one
-- domain under several policy types in one report (Microsoft reports sts and tlsa for the
-- same sessions; RFC 8460 §4.4 lets a report list every policy applied). Per report and
-- domain one policy type represents the sessions: the one with the most sessions in all
-- (ties: sts, then tlsa, then the rest by name), and its success and failure counts are
-- taken together, never the successes of one type with the failures of another.
DROP VIEW tlsrpt.daily_sessions;
CREATE VIEW tlsrpt.daily_sessions AS
WITH per_type AS (
    SELECT p.report_pk, p.day, p.policy_domain, p.policy_type,
           sum(p.total_successful_session_count::numeric) AS successful,
           sum(p.total_failure_session_count::numeric) AS failed
    FROM tlsrpt.policies p
    GROUP BY p.report_pk, p.day, p.policy_domain, p.policy_type
), per_report AS (
    SELECT DISTINCT ON (report_pk, day, policy_domain) report_pk, day, policy_domain,
           successful, failed
    FROM per_type
    ORDER BY report_pk, day, policy_domain, successful + failed DESC,
             policy_type = 'sts' DESC, policy_type = 'tlsa' DESC, policy_type
)
SELECT day, policy_domain, count(*) AS reports,
       sum(successful) AS successful,
       sum(failed) AS failed,
       round(100.0 * sum(successful) / nullif(sum(successful + failed), 0), 2) AS success_rate
FROM per_report
GROUP BY day, policy_domain;

DROP VIEW tlsrpt.daily_failures;
CREATE VIEW tlsrpt.daily_failures AS
WITH per_type AS (
    SELECT p.report_pk, f.day, p.policy_domain, p.policy_type, f.result_type,
           sum(f.failed_session_count::numeric) AS sessions
    FROM tlsrpt.failure_details f
    JOIN tlsrpt.policies p ON p.id = f.policy_pk
    GROUP BY p.report_pk, f.day, p.policy_domain, p.policy_type, f.result_type
), per_report AS (
    SELECT report_pk, day, policy_domain, result_type, max(sessions) AS sessions
    FROM per_type
    GROUP BY report_pk, day, policy_domain, result_type
)
SELECT day, policy_domain, result_type, sum(sessions) AS sessions
FROM per_report
GROUP BY day, policy_domain, result_type;
