-- 001_initial.sql: the tlsrpt schema for SMTP TLS reports (RFC 8460 §4.4). Column names are
-- the RFC's JSON member names with '-' written as '_'. Applied by `tlsrptctl db migrate` inside
-- one transaction; never edit a shipped migration, add the next NNN_name.sql instead.

CREATE SCHEMA tlsrpt;

CREATE TABLE tlsrpt.schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- One row per distinct report. The dedup key is (reporter, report_id): RFC 8460 §4.4 makes
-- report-id unique only within one reporter (digest §5).
CREATE TABLE tlsrpt.reports (
    id                   bigserial PRIMARY KEY,
    organization_name    text,
    contact_info         text,
    report_id            text NOT NULL,
    reporter             text NOT NULL,
    start_datetime       timestamptz NOT NULL,
    end_datetime         timestamptz NOT NULL,
    received_at          timestamptz NOT NULL DEFAULT now(),
    source               text NOT NULL CHECK (source IN ('smtp', 'file', 'https')),
    message_id           text,
    mail_from            text,
    subject              text,
    tls_report_domain    text,
    tls_report_submitter text,
    dkim_result          text,
    dkim_domain          text,
    quirks               text[] NOT NULL DEFAULT '{}',
    raw                  jsonb,   -- the report JSON as received (RFC 8460 §4.4)
    raw_text             text,    -- set instead of raw when jsonb cannot hold it (\u0000)
    content_hash         text NOT NULL, -- md5 of the normalized content: tells a re-send
                                        -- from a conflicting report with the same key
    CONSTRAINT reports_reporter_report_id_key UNIQUE (reporter, report_id)
);
CREATE INDEX reports_start_datetime_idx ON tlsrpt.reports (start_datetime);

-- RFC 8460 §4.4 "policies": one row per policy object with its summary counts.
CREATE TABLE tlsrpt.policies (
    id                             bigserial PRIMARY KEY,
    report_pk                      bigint NOT NULL REFERENCES tlsrpt.reports (id) ON DELETE CASCADE,
    ordinal                        integer NOT NULL, -- position in the report's policies array
    day                            date NOT NULL,    -- UTC date of the report's start-datetime
    policy_type                    text NOT NULL,
    policy_domain                  text,
    policy_string                  text[] NOT NULL DEFAULT '{}',
    mx_host                        text[] NOT NULL DEFAULT '{}',
    sts_mode                       text,   -- RFC 8461 §3.2, from policy-string
    sts_max_age                    bigint,
    sts_mx                         text[],
    tlsa                           text[], -- "usage selector matching-type data" (RFC 6698 §2.2)
    total_successful_session_count bigint NOT NULL DEFAULT 0,
    total_failure_session_count    bigint NOT NULL DEFAULT 0,
    UNIQUE (report_pk, ordinal)
);
CREATE INDEX policies_domain_day_idx ON tlsrpt.policies (policy_domain, day);

-- RFC 8460 §4.4 "failure-details" (result types: §4.3).
CREATE TABLE tlsrpt.failure_details (
    id                     bigserial PRIMARY KEY,
    policy_pk              bigint NOT NULL REFERENCES tlsrpt.policies (id) ON DELETE CASCADE,
    day                    date NOT NULL,
    result_type            text NOT NULL,
    sending_mta_ip         inet,
    sending_mta_ip_text    text,  -- the member as sent, when it is no IP address
    receiving_ip           inet,
    receiving_ip_text      text,
    receiving_mx_hostname  text,
    receiving_mx_helo      text,
    failed_session_count   bigint NOT NULL DEFAULT 0,
    additional_information text,
    failure_reason_code    text
);
CREATE INDEX failure_details_policy_pk_idx ON tlsrpt.failure_details (policy_pk);
CREATE INDEX failure_details_result_type_day_idx ON tlsrpt.failure_details (result_type, day);

-- Messages no report could be read from, kept whole for `tlsrptctl rejected`.
CREATE TABLE tlsrpt.rejected_messages (
    id            bigserial PRIMARY KEY,
    received_at   timestamptz NOT NULL DEFAULT now(),
    source        text NOT NULL CHECK (source IN ('smtp', 'file', 'https')),
    reason        text NOT NULL,
    message_id    text,
    mail_from     text,
    subject       text,
    raw           bytea NOT NULL,
    reimported_at timestamptz
);
CREATE INDEX rejected_messages_received_at_idx ON tlsrpt.rejected_messages (received_at);

-- Sessions per day, policy domain, policy type and reporting organization (RFC 8460 §4.2).
-- success_rate is a percentage, NULL when no session was counted.
CREATE VIEW tlsrpt.daily_summary AS
SELECT p.day, p.policy_domain, p.policy_type, r.organization_name,
       count(DISTINCT r.id) AS reports,
       sum(p.total_successful_session_count)::bigint AS successful,
       sum(p.total_failure_session_count)::bigint AS failed,
       round(100.0 * sum(p.total_successful_session_count) /
             nullif(sum(p.total_successful_session_count + p.total_failure_session_count), 0),
             2) AS success_rate
FROM tlsrpt.policies p
JOIN tlsrpt.reports r ON r.id = p.report_pk
GROUP BY p.day, p.policy_domain, p.policy_type, r.organization_name;

-- Sessions per day and policy domain, each session counted once: a sender that reports one
-- domain under both sts and tlsa in one report (Microsoft does) counts the same sessions
-- twice, so per report and domain the counts are summed per policy type, then the largest
-- policy type is taken.
CREATE VIEW tlsrpt.daily_sessions AS
WITH per_type AS (
    SELECT p.report_pk, p.day, p.policy_domain, p.policy_type,
           sum(p.total_successful_session_count) AS successful,
           sum(p.total_failure_session_count) AS failed
    FROM tlsrpt.policies p
    GROUP BY p.report_pk, p.day, p.policy_domain, p.policy_type
), per_report AS (
    SELECT report_pk, day, policy_domain,
           max(successful) AS successful, max(failed) AS failed
    FROM per_type
    GROUP BY report_pk, day, policy_domain
)
SELECT day, policy_domain, count(*) AS reports,
       sum(successful)::bigint AS successful,
       sum(failed)::bigint AS failed,
       round(100.0 * sum(successful) / nullif(sum(successful + failed), 0), 2) AS success_rate
FROM per_report
GROUP BY day, policy_domain;

-- Failed sessions per day, policy domain and result type (RFC 8460 §4.3), with the same
-- once-per-session rule as daily_sessions across policy types of one report.
CREATE VIEW tlsrpt.daily_failures AS
WITH per_type AS (
    SELECT p.report_pk, f.day, p.policy_domain, p.policy_type, f.result_type,
           sum(f.failed_session_count) AS sessions
    FROM tlsrpt.failure_details f
    JOIN tlsrpt.policies p ON p.id = f.policy_pk
    GROUP BY p.report_pk, f.day, p.policy_domain, p.policy_type, f.result_type
), per_report AS (
    SELECT report_pk, day, policy_domain, result_type, max(sessions) AS sessions
    FROM per_type
    GROUP BY report_pk, day, policy_domain, result_type
)
SELECT day, policy_domain, result_type, sum(sessions)::bigint AS sessions
FROM per_report
GROUP BY day, policy_domain, result_type;

-- Who sends reports, and since when.
CREATE VIEW tlsrpt.reporters AS
SELECT organization_name, min(received_at) AS first_seen, max(received_at) AS last_seen,
       count(*) AS reports
FROM tlsrpt.reports
GROUP BY organization_name;
