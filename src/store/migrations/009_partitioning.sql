-- 009_partitioning.sql: reports, policies and failure_details become declaratively partitioned
-- by month of the report day (the UTC date of start-datetime), converted in place with every
-- row and id kept. Readers see the same tables, columns and views; reports gains a `day`
-- column (the partition key). Unique keys include the partition key (a PostgreSQL rule), so:
--   reports         PRIMARY KEY (id, day), UNIQUE (reporter, report_id, day)
--   policies        PRIMARY KEY (id, day), FOREIGN KEY (report_pk, day) -> reports
--   failure_details PRIMARY KEY (id, day), FOREIGN KEY (policy_pk, day) -> policies
--   report_conflicts gains report_day: FOREIGN KEY (report_pk, report_day) -> reports
-- The three tables always have the same partitions: tlsrpt.<table>_pYYYY_MM for each month and
-- tlsrpt.<table>_default for anything else. Every join between them matches the day too, and
-- joins go partition by partition (enable_partitionwise_join, below), so a filter on day
-- prunes all three. Partitions are made ahead by `tlsrptctl db maintain` and on demand
-- by tlsrpt.ensure_partition (the store calls it for a month it has not seen), serialized
-- across hosts by an advisory lock; old months are dropped whole by tlsrpt.drop_month
-- (`tlsrptctl db prune`). docs/scaling.md tells the whole story.

-- The privileges granted on the tables and views replaced below (the milter's and Grafana's
-- roles), given again at the end.
CREATE TEMP TABLE tlsrpt_saved_grants ON COMMIT DROP AS
SELECT c.relname, a.grantee, a.privilege_type
FROM pg_catalog.pg_class c, aclexplode(c.relacl) a
WHERE c.relnamespace = 'tlsrpt'::regnamespace AND a.grantee <> c.relowner
  AND c.relname IN ('reports', 'policies', 'failure_details', 'daily_summary', 'daily_sessions',
                    'daily_failures', 'reporters', 'report_sessions', 'failure_sessions',
                    'daily_reporters', 'daily_quirks');

-- Readers first: the views are recreated over the new tables at the end.
DROP VIEW tlsrpt.daily_summary, tlsrpt.daily_sessions, tlsrpt.daily_failures, tlsrpt.reporters,
    tlsrpt.report_sessions, tlsrpt.failure_sessions, tlsrpt.daily_reporters, tlsrpt.daily_quirks;

ALTER TABLE tlsrpt.report_conflicts DROP CONSTRAINT report_conflicts_report_pk_fkey;
ALTER TABLE tlsrpt.reports RENAME TO reports_unpartitioned;
ALTER TABLE tlsrpt.policies RENAME TO policies_unpartitioned;
ALTER TABLE tlsrpt.failure_details RENAME TO failure_details_unpartitioned;
ALTER TABLE tlsrpt.reports_unpartitioned RENAME CONSTRAINT reports_source_check
    TO reports_unpartitioned_source_check;
ALTER INDEX tlsrpt.reports_pkey RENAME TO reports_unpartitioned_pkey;
ALTER INDEX tlsrpt.reports_reporter_report_id_key RENAME TO reports_unpartitioned_key;
ALTER INDEX tlsrpt.policies_pkey RENAME TO policies_unpartitioned_pkey;
ALTER INDEX tlsrpt.policies_report_pk_ordinal_key RENAME TO policies_unpartitioned_key;
ALTER INDEX tlsrpt.failure_details_pkey RENAME TO failure_details_unpartitioned_pkey;
ALTER INDEX tlsrpt.reports_start_datetime_idx RENAME TO reports_unpartitioned_start_datetime_idx;
ALTER INDEX tlsrpt.reports_received_at_idx RENAME TO reports_unpartitioned_received_at_idx;
ALTER INDEX tlsrpt.policies_domain_day_idx RENAME TO policies_unpartitioned_domain_day_idx;
ALTER INDEX tlsrpt.failure_details_policy_pk_idx
    RENAME TO failure_details_unpartitioned_policy_pk_idx;
ALTER INDEX tlsrpt.failure_details_result_type_day_idx
    RENAME TO failure_details_unpartitioned_result_type_day_idx;
ALTER INDEX tlsrpt.policies_report_domain_idx RENAME TO policies_unpartitioned_report_domain_idx;

-- Same columns in the same order (reports: `day` last), defaults (the same sequences) and
-- CHECK constraints under their old names.
CREATE TABLE tlsrpt.reports (
    LIKE tlsrpt.reports_unpartitioned INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS,
    day date NOT NULL, -- UTC date of start_datetime: the partition key
    CONSTRAINT reports_source_check CHECK (source IN ('smtp', 'file', 'https', 'imap')),
    CONSTRAINT reports_day_check CHECK (day = (start_datetime AT TIME ZONE 'UTC')::date),
    PRIMARY KEY (id, day),
    CONSTRAINT reports_reporter_report_id_key UNIQUE (reporter, report_id, day)
) PARTITION BY RANGE (day);
CREATE INDEX reports_start_datetime_idx ON tlsrpt.reports (start_datetime);
CREATE INDEX reports_received_at_idx ON tlsrpt.reports (received_at);
CREATE INDEX reports_day_idx ON tlsrpt.reports (day);

CREATE TABLE tlsrpt.policies (
    LIKE tlsrpt.policies_unpartitioned INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS,
    PRIMARY KEY (id, day),
    UNIQUE (report_pk, ordinal, day),
    FOREIGN KEY (report_pk, day) REFERENCES tlsrpt.reports (id, day) ON DELETE CASCADE
) PARTITION BY RANGE (day);
CREATE INDEX policies_domain_day_idx ON tlsrpt.policies (policy_domain, day);
CREATE INDEX policies_day_idx ON tlsrpt.policies (day);
CREATE INDEX policies_report_domain_idx ON tlsrpt.policies (report_pk, coalesce(policy_domain, ''));

CREATE TABLE tlsrpt.failure_details (
    LIKE tlsrpt.failure_details_unpartitioned INCLUDING DEFAULTS INCLUDING STORAGE
        INCLUDING COMMENTS,
    PRIMARY KEY (id, day),
    FOREIGN KEY (policy_pk, day) REFERENCES tlsrpt.policies (id, day) ON DELETE CASCADE
) PARTITION BY RANGE (day);
CREATE INDEX failure_details_policy_pk_idx ON tlsrpt.failure_details (policy_pk, day);
CREATE INDEX failure_details_result_type_day_idx ON tlsrpt.failure_details (result_type, day);
CREATE INDEX failure_details_day_idx ON tlsrpt.failure_details (day);

ALTER SEQUENCE tlsrpt.reports_id_seq OWNED BY tlsrpt.reports.id;
ALTER SEQUENCE tlsrpt.policies_id_seq OWNED BY tlsrpt.policies.id;
ALTER SEQUENCE tlsrpt.failure_details_id_seq OWNED BY tlsrpt.failure_details.id;

CREATE TABLE tlsrpt.reports_default PARTITION OF tlsrpt.reports DEFAULT;
CREATE TABLE tlsrpt.policies_default PARTITION OF tlsrpt.policies DEFAULT;
CREATE TABLE tlsrpt.failure_details_default PARTITION OF tlsrpt.failure_details DEFAULT;

-- The months for which partitions are made (on demand and by db maintain): from 36 months
-- before the current one to 12 after. A report dated outside (a broken or hostile clock) lands
-- in the default partitions instead of creating a partition per odd month.
CREATE FUNCTION tlsrpt.partition_window(OUT first_month date, OUT last_month date)
LANGUAGE sql STABLE AS $$
    SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '36 months')::date,
           (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '12 months')::date
$$;

-- 'reports_p2026_03' for a day in March 2026 (and likewise for the other two tables).
CREATE FUNCTION tlsrpt.partition_name(tbl text, day date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT tbl || '_p' || to_char(day, 'YYYY_MM') $$;

-- Whether tlsrpt.<name> exists, read from pg_class with the statement's snapshot.
CREATE FUNCTION tlsrpt.partition_exists(name text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT FROM pg_catalog.pg_class c
                   WHERE c.relnamespace = 'tlsrpt'::regnamespace AND c.relname = name)
$$;

-- Makes the three partitions of the month of `day` if they are missing. Returns 'exists',
-- 'created', or 'default' (outside tlsrpt.partition_window: rows go to the default
-- partitions). Rows of that month already in the default partitions are moved into the new
-- ones. One advisory lock serializes every caller (all MX hosts and db maintain). Creating a
-- partition locks its parent briefly; lock_timeout bounds the wait behind a long query (the
-- caller then stores into the default partition and db maintain moves the rows later).
-- CREATE ... PARTITION OF, not ATTACH: the partitions' constraints stay inherited, so a later
-- ALTER of a parent's CHECK reaches them. SECURITY DEFINER: the milter's role needs no CREATE
-- privilege.
CREATE FUNCTION tlsrpt.ensure_partition(day date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '5s'
SET client_min_messages = warning
AS $$
DECLARE
    m date := date_trunc('month', day)::date;
    next_m date := (date_trunc('month', day) + interval '1 month')::date;
    w record;
    tbl text;
    moved bigint;
BEGIN
    SELECT * INTO w FROM tlsrpt.partition_window();
    IF m < w.first_month OR m > w.last_month THEN
        RETURN 'default';
    END IF;
    IF to_regclass('tlsrpt.' || tlsrpt.partition_name('failure_details', m)) IS NOT NULL THEN
        RETURN 'exists';
    END IF;
    PERFORM pg_advisory_xact_lock(127978119672949); -- "tlsrpt" + 1: partition changes
    -- pg_class read afresh: the name cache does not see a table another holder of the lock
    -- just made
    IF tlsrpt.partition_exists(tlsrpt.partition_name('failure_details', m)) THEN
        RETURN 'exists';
    END IF;
    -- rows of this month in the default partitions leave them first (a partition cannot be
    -- attached while the default one holds rows of its range), and come back routed
    DROP TABLE IF EXISTS pg_temp.tlsrpt_move_r, pg_temp.tlsrpt_move_p, pg_temp.tlsrpt_move_f,
        pg_temp.tlsrpt_move_c;
    CREATE TEMP TABLE tlsrpt_move_r ON COMMIT DROP AS
        SELECT * FROM tlsrpt.reports_default WHERE reports_default.day >= m
                                               AND reports_default.day < next_m;
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved > 0 THEN
        CREATE TEMP TABLE tlsrpt_move_p ON COMMIT DROP AS
            SELECT p.* FROM tlsrpt.policies_default p
            JOIN tlsrpt_move_r r ON r.id = p.report_pk AND r.day = p.day;
        CREATE TEMP TABLE tlsrpt_move_f ON COMMIT DROP AS
            SELECT f.* FROM tlsrpt.failure_details_default f
            JOIN tlsrpt_move_p p ON p.id = f.policy_pk AND p.day = f.day;
        CREATE TEMP TABLE tlsrpt_move_c ON COMMIT DROP AS
            SELECT c.* FROM tlsrpt.report_conflicts c
            JOIN tlsrpt_move_r r ON r.id = c.report_pk AND r.day = c.report_day;
        DELETE FROM tlsrpt.reports_default d USING tlsrpt_move_r r
        WHERE d.id = r.id AND d.day = r.day; -- cascades to policies, details, conflicts
    END IF;
    FOREACH tbl IN ARRAY ARRAY['reports', 'policies', 'failure_details'] LOOP
        EXECUTE format('CREATE TABLE tlsrpt.%I PARTITION OF tlsrpt.%I FOR VALUES FROM (%L) TO (%L)',
                       tlsrpt.partition_name(tbl, m), tbl, m, next_m);
    END LOOP;
    IF moved > 0 THEN
        INSERT INTO tlsrpt.reports SELECT * FROM tlsrpt_move_r;
        INSERT INTO tlsrpt.policies SELECT * FROM tlsrpt_move_p;
        INSERT INTO tlsrpt.failure_details SELECT * FROM tlsrpt_move_f;
        INSERT INTO tlsrpt.report_conflicts SELECT * FROM tlsrpt_move_c;
        DROP TABLE pg_temp.tlsrpt_move_p, pg_temp.tlsrpt_move_f, pg_temp.tlsrpt_move_c;
    END IF;
    DROP TABLE pg_temp.tlsrpt_move_r;
    RETURN 'created';
END
$$;

-- Drops the month of `day` whole: its failure_details, policies and reports partitions
-- (detached, then dropped: no DELETE, no bloat) and the conflicting copies of its reports.
-- Returns the rows removed. Under the same advisory lock as ensure_partition.
CREATE FUNCTION tlsrpt.drop_month(day date, OUT reports bigint, OUT policies bigint,
                                  OUT failure_details bigint, OUT conflicts bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '10s'
AS $$
DECLARE
    m date := date_trunc('month', day)::date;
    tbl text;
BEGIN
    reports := 0; policies := 0; failure_details := 0; conflicts := 0;
    PERFORM pg_advisory_xact_lock(127978119672949);
    IF NOT tlsrpt.partition_exists(tlsrpt.partition_name('reports', m)) THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT count(*) FROM tlsrpt.%I', tlsrpt.partition_name('reports', m))
        INTO reports;
    EXECUTE format('SELECT count(*) FROM tlsrpt.%I', tlsrpt.partition_name('policies', m))
        INTO policies;
    EXECUTE format('SELECT count(*) FROM tlsrpt.%I',
                   tlsrpt.partition_name('failure_details', m)) INTO failure_details;
    DELETE FROM tlsrpt.report_conflicts c
    WHERE c.report_day >= m AND c.report_day < (m + interval '1 month')::date;
    GET DIAGNOSTICS conflicts = ROW_COUNT;
    FOREACH tbl IN ARRAY ARRAY['failure_details', 'policies', 'reports'] LOOP
        EXECUTE format('ALTER TABLE tlsrpt.%I DETACH PARTITION tlsrpt.%I',
                       tbl, tlsrpt.partition_name(tbl, m));
        EXECUTE format('DROP TABLE tlsrpt.%I', tlsrpt.partition_name(tbl, m));
    END LOOP;
END
$$;

-- The monthly partitions that exist, oldest first: (month, reports partition).
CREATE FUNCTION tlsrpt.month_partitions(OUT month date, OUT partition text)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
    SELECT to_date(substr(c.relname, length('reports_p') + 1), 'YYYY_MM'), c.relname::text
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'tlsrpt.reports'::regclass AND c.relname ~ '^reports_p[0-9]{4}_[0-9]{2}$'
    ORDER BY 1
$$;

-- Partitions for every month of the existing rows inside the window, then the rows.
SELECT tlsrpt.ensure_partition(d)
FROM (SELECT DISTINCT date_trunc('month', start_datetime AT TIME ZONE 'UTC')::date AS d
      FROM tlsrpt.reports_unpartitioned) months;
-- and last month, this one and the next, whatever the rows
SELECT tlsrpt.ensure_partition((date_trunc('month', now() AT TIME ZONE 'UTC') +
                                make_interval(months => m))::date)
FROM (VALUES (-1), (0), (1)) v(m);

-- A policy or failure detail always has its report's day (001's insert wrote it so); made
-- sure here, since the foreign keys now say it.
UPDATE tlsrpt.policies_unpartitioned p
SET day = (r.start_datetime AT TIME ZONE 'UTC')::date
FROM tlsrpt.reports_unpartitioned r
WHERE r.id = p.report_pk AND p.day <> (r.start_datetime AT TIME ZONE 'UTC')::date;
UPDATE tlsrpt.failure_details_unpartitioned f SET day = p.day
FROM tlsrpt.policies_unpartitioned p
WHERE p.id = f.policy_pk AND f.day <> p.day;

INSERT INTO tlsrpt.reports
SELECT r.*, (r.start_datetime AT TIME ZONE 'UTC')::date FROM tlsrpt.reports_unpartitioned r;
INSERT INTO tlsrpt.policies SELECT * FROM tlsrpt.policies_unpartitioned;
INSERT INTO tlsrpt.failure_details SELECT * FROM tlsrpt.failure_details_unpartitioned;

-- Conflicting copies point at (id, day) of their report.
ALTER TABLE tlsrpt.report_conflicts ADD COLUMN report_day date;
UPDATE tlsrpt.report_conflicts c SET report_day = r.day FROM tlsrpt.reports r
WHERE r.id = c.report_pk;
DELETE FROM tlsrpt.report_conflicts WHERE report_day IS NULL; -- their report was gone (cascade)
ALTER TABLE tlsrpt.report_conflicts ALTER COLUMN report_day SET NOT NULL,
    ADD FOREIGN KEY (report_pk, report_day) REFERENCES tlsrpt.reports (id, day)
        ON UPDATE CASCADE ON DELETE CASCADE; -- a replacing copy may move to another day
-- Writers that name only report_pk get the day filled in.
CREATE FUNCTION tlsrpt.report_conflicts_day() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.report_day IS NULL THEN
        SELECT r.day INTO NEW.report_day FROM tlsrpt.reports r WHERE r.id = NEW.report_pk;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER report_conflicts_day BEFORE INSERT ON tlsrpt.report_conflicts
FOR EACH ROW EXECUTE FUNCTION tlsrpt.report_conflicts_day();

DROP TABLE tlsrpt.failure_details_unpartitioned;
DROP TABLE tlsrpt.policies_unpartitioned;
DROP TABLE tlsrpt.reports_unpartitioned;

-- PostgreSQL does not carry a range condition across a join (f.day > X does not become
-- p.day > X), so a day filter on a view prunes only one side of each join unless joins of two
-- partitioned tables go partition by partition: then a pruned partition of one side removes
-- its pair. Set for new sessions of this database (only its owner may; otherwise say how).
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET enable_partitionwise_join = on', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'run as the owner of database %: ALTER DATABASE % SET '
                  'enable_partitionwise_join = on (queries by day then read only their '
                  'partitions)', current_database(), current_database();
END
$$;

-- The views of 003, 004, 007 and 008, the same for readers; each join also matches the day, the
-- partition key, so that a filter on day prunes every table of the join.
CREATE VIEW tlsrpt.daily_summary AS
SELECT p.day, p.policy_domain, p.policy_type, r.organization_name,
       count(DISTINCT r.id) AS reports,
       sum(p.total_successful_session_count::numeric) AS successful,
       sum(p.total_failure_session_count::numeric) AS failed,
       round(100.0 * sum(p.total_successful_session_count::numeric) /
             nullif(sum(p.total_successful_session_count::numeric +
                        p.total_failure_session_count), 0), 2) AS success_rate
FROM tlsrpt.policies p
JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day
GROUP BY p.day, p.policy_domain, p.policy_type, r.organization_name;

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

CREATE VIEW tlsrpt.reporters AS
SELECT organization_name, min(received_at) AS first_seen, max(received_at) AS last_seen,
       count(*) AS reports,
       count(*) FILTER (WHERE dkim_authenticated) AS authenticated_reports
FROM tlsrpt.reports
GROUP BY organization_name;

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
JOIN tlsrpt.reports r ON r.id = t.report_pk AND r.day = t.day;

-- failure_sessions and daily_failures as in 008: each failed session once, under the policy
-- type that represents its report's sessions (tlsrpt.representative_type, which reads one
-- partition: its report's day).
CREATE VIEW tlsrpt.failure_sessions AS
SELECT p.report_pk, f.day, p.policy_domain, p.policy_type, r.reporter, r.organization_name,
       f.result_type,
       coalesce(host(f.sending_mta_ip), f.sending_mta_ip_text, '') AS sending_mta_ip,
       coalesce(f.receiving_mx_hostname, '') AS receiving_mx_hostname,
       sum(f.failed_session_count::numeric) AS sessions,
       p.policy_type = tlsrpt.representative_type(p.report_pk, f.day, p.policy_domain)
           AS representative
FROM tlsrpt.failure_details f
JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day
JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day
GROUP BY p.report_pk, f.day, p.policy_domain, p.policy_type, r.reporter, r.organization_name,
         f.result_type, 8, 9;

CREATE VIEW tlsrpt.daily_failures AS
SELECT day, policy_domain, result_type, sum(sessions) AS sessions
FROM tlsrpt.failure_sessions
WHERE representative
GROUP BY day, policy_domain, result_type;

-- reports.day is the UTC date of start_datetime (reports_day_check): the partition key.
CREATE VIEW tlsrpt.daily_reporters AS
SELECT r.day, r.reporter,
       max(r.organization_name) AS organization_name,
       count(*) AS reports,
       count(*) FILTER (WHERE r.dkim_authenticated) AS authenticated_reports,
       min(r.received_at) AS first_received, max(r.received_at) AS last_received
FROM tlsrpt.reports r
GROUP BY r.day, r.reporter;

CREATE VIEW tlsrpt.daily_quirks AS
SELECT r.day, r.reporter,
       max(r.organization_name) AS organization_name, q.quirk, count(*) AS reports
FROM tlsrpt.reports r
CROSS JOIN LATERAL unnest(r.quirks) AS q(quirk)
GROUP BY r.day, r.reporter, q.quirk;

DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT * FROM pg_temp.tlsrpt_saved_grants LOOP
        EXECUTE format('GRANT %s ON tlsrpt.%I TO %s', g.privilege_type, g.relname,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END);
    END LOOP;
END
$$;
