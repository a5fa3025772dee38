-- 007_dashboard_views.sql: the views the Grafana dashboard (contrib/grafana/tlsrpt.json) and
-- `tlsrptctl digest` read, so that each panel query stays a few lines, and the table that
-- `tlsrptctl alerts --record` writes its evaluation to (the alert rules live in the program,
-- store/alerts.cpp; the dashboard shows what the program decided, never a second copy of them).
-- Days are report days: the UTC date of a report's start-datetime (policies.day).

-- Sessions per report, day, policy domain and policy type (RFC 8460 §4.4 summary counts), with
-- who reported them. One report may count the same sessions under several policy types
-- (Microsoft reports sts and tlsa): type_rank orders the types of one report, day and domain
-- the way daily_sessions picks one (most sessions, then sts, tlsa, the rest by name), so a
-- query counting each session once keeps, per (report_pk, day, policy_domain), the row with
-- the lowest type_rank among the policy types it looks at (DISTINCT ON ... ORDER BY type_rank).
CREATE VIEW tlsrpt.report_sessions AS
WITH per_type AS (
    SELECT p.report_pk, p.day, p.policy_domain, p.policy_type,
           sum(p.total_successful_session_count::numeric) AS successful,
           sum(p.total_failure_session_count::numeric) AS failed
    FROM tlsrpt.policies p
    GROUP BY p.report_pk, p.day, p.policy_domain, p.policy_type
)
SELECT t.report_pk, t.day, t.policy_domain, t.policy_type, r.reporter, r.organization_name,
       r.dkim_authenticated, t.successful, t.failed,
       row_number() OVER (PARTITION BY t.report_pk, t.day, t.policy_domain
                          ORDER BY t.successful + t.failed DESC, t.policy_type = 'sts' DESC,
                                   t.policy_type = 'tlsa' DESC, t.policy_type) AS type_rank
FROM per_type t
JOIN tlsrpt.reports r ON r.id = t.report_pk;

-- Failed sessions per report, day, policy domain, policy type, result type (RFC 8460 §4.3),
-- sending MTA and receiving MX. The same sessions under two policy types of one report count
-- once: take max(sessions) per report over the policy types looked at (daily_failures does).
-- sending_mta_ip is the address as text, or the member as sent when it was no address.
CREATE VIEW tlsrpt.failure_sessions AS
SELECT p.report_pk, f.day, p.policy_domain, p.policy_type, r.reporter, r.organization_name,
       f.result_type,
       coalesce(host(f.sending_mta_ip), f.sending_mta_ip_text, '') AS sending_mta_ip,
       coalesce(f.receiving_mx_hostname, '') AS receiving_mx_hostname,
       sum(f.failed_session_count::numeric) AS sessions
FROM tlsrpt.failure_details f
JOIN tlsrpt.policies p ON p.id = f.policy_pk
JOIN tlsrpt.reports r ON r.id = p.report_pk
GROUP BY p.report_pk, f.day, p.policy_domain, p.policy_type, r.reporter, r.organization_name,
         f.result_type, 8, 9;

-- Reports per report day and reporter (the reporter key: the contact-info domain, else the
-- organization name in lower case), how many were DKIM-authenticated (RFC 8460 §3), and when
-- they were received.
CREATE VIEW tlsrpt.daily_reporters AS
SELECT (r.start_datetime AT TIME ZONE 'UTC')::date AS day, r.reporter,
       max(r.organization_name) AS organization_name,
       count(*) AS reports,
       count(*) FILTER (WHERE r.dkim_authenticated) AS authenticated_reports,
       min(r.received_at) AS first_received, max(r.received_at) AS last_received
FROM tlsrpt.reports r
GROUP BY 1, r.reporter;

-- Deviations from RFC 8460 each stored report showed (reports.quirks; the names are
-- include/tlsrpt/quirks.hpp's), per report day, reporter and quirk.
CREATE VIEW tlsrpt.daily_quirks AS
SELECT (r.start_datetime AT TIME ZONE 'UTC')::date AS day, r.reporter,
       max(r.organization_name) AS organization_name, q.quirk, count(*) AS reports
FROM tlsrpt.reports r
CROSS JOIN LATERAL unnest(r.quirks) AS q(quirk)
GROUP BY 1, r.reporter, q.quirk;

-- Evaluations of the alert rules recorded by `tlsrptctl alerts --record` (kept 7 days), and
-- the alerts of each: exactly what the program printed (severity, rule, figures, hint).
CREATE TABLE tlsrpt.alert_evaluations (
    id           bigserial PRIMARY KEY,
    evaluated_at timestamptz NOT NULL DEFAULT now(),
    last_day     date NOT NULL,          -- the last report day looked at (store/alerts.hpp)
    domains      text[] NOT NULL DEFAULT '{}', -- the --domain list; empty: every domain
    status       text NOT NULL CHECK (status IN ('ok', 'warning', 'critical'))
);
CREATE INDEX alert_evaluations_evaluated_at_idx ON tlsrpt.alert_evaluations (evaluated_at);

CREATE TABLE tlsrpt.recorded_alerts (
    id            bigserial PRIMARY KEY,
    evaluation_pk bigint NOT NULL REFERENCES tlsrpt.alert_evaluations (id) ON DELETE CASCADE,
    severity      text NOT NULL CHECK (severity IN ('warning', 'critical')),
    downgraded    boolean NOT NULL DEFAULT false, -- critical, but no DKIM-authenticated report
    rule          text NOT NULL,
    policy_domain text NOT NULL,
    reporter      text,                  -- silent-reporter
    since         date,
    last_day      date,
    figures       text NOT NULL,
    hint          text NOT NULL,
    rfc           text NOT NULL,
    reports       bigint[] NOT NULL DEFAULT '{}' -- tlsrpt.reports.id of the evidence
);
CREATE INDEX recorded_alerts_evaluation_pk_idx ON tlsrpt.recorded_alerts (evaluation_pk);

-- The alerts of the latest recorded evaluation, worst first, with its time.
CREATE VIEW tlsrpt.current_alerts AS
WITH latest AS (
    SELECT * FROM tlsrpt.alert_evaluations ORDER BY evaluated_at DESC, id DESC LIMIT 1
)
SELECT l.evaluated_at, l.last_day AS evaluated_day, a.severity, a.downgraded, a.rule,
       a.policy_domain, a.reporter, a.since, a.last_day, a.figures, a.hint, a.rfc,
       cardinality(a.reports) AS reports
FROM latest l
JOIN tlsrpt.recorded_alerts a ON a.evaluation_pk = l.id
ORDER BY a.severity = 'critical' DESC, a.policy_domain, a.rule, a.reporter;
