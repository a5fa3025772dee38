-- 010_failure_rollup.sql: the failure breakdowns are worked out once, when a report's
-- failure details are stored, instead of again on every read.
--
-- failure_sessions (007, 008, 009) grouped a window's failure details with their policies and
-- reports and asked tlsrpt.representative_type for every row: over 7 days of a receiver with
-- 1,000 domains (200,000 failure details) it took 0.4-0.7 s, and daily_failures, which sums
-- it, 0.35-1.4 s. Their answer only changes when a report's details are written, so a trigger
-- writes it then into tlsrpt.failure_rollup: one row per report, policy domain, policy type,
-- result type, sending MTA and receiving MX, with the failed sessions summed, and
-- `representative`: whether that policy type is the one whose counts stand for the report's
-- sessions of that domain (RFC 8460 §4.4; the rule stays in tlsrpt.representative_type, 008).
-- failure_sessions and daily_failures read this table, with the same columns as before.
--
-- Triggers, not the store's statement, so that every writer keeps it right: the store, an
-- older build still running on another MX during an upgrade, tlsrpt.ensure_partition moving
-- rows, a bulk load in SQL. Rows are written for the failure details one INSERT adds (a
-- report's details come in one statement) and deleted with any policy of their report (the
-- store replaces a report's policies whole) or with the report (foreign key). Partitioned by
-- month like the other three (009): ensure_partition makes and drop_month drops its
-- partitions with theirs. The cost: about as much space again as failure_details (README, "A
-- year of history").

CREATE TABLE tlsrpt.failure_rollup (
    report_pk             bigint NOT NULL,
    day                   date NOT NULL,
    policy_domain         text,
    policy_type           text NOT NULL,
    reporter              text NOT NULL,
    organization_name     text,
    result_type           text NOT NULL,
    sending_mta_ip        text NOT NULL, -- the address, or the member as sent, or ''
    receiving_mx_hostname text NOT NULL, -- or ''
    sessions              numeric NOT NULL,
    representative        boolean NOT NULL,
    FOREIGN KEY (report_pk, day) REFERENCES tlsrpt.reports (id, day)
        ON UPDATE CASCADE ON DELETE CASCADE
) PARTITION BY RANGE (day);
-- a report's rows (its deletion and replacement)
CREATE INDEX failure_rollup_report_idx ON tlsrpt.failure_rollup (report_pk, day);
-- failure_sessions over a few days of a month's partition (rows arrive in about day order)
CREATE INDEX failure_rollup_day_idx ON tlsrpt.failure_rollup USING brin (day);
-- daily_failures: an index-only scan of the window
CREATE INDEX failure_rollup_daily_idx ON tlsrpt.failure_rollup (day, policy_domain, result_type)
    INCLUDE (sessions) WHERE representative;

CREATE TABLE tlsrpt.failure_rollup_default PARTITION OF tlsrpt.failure_rollup DEFAULT;
DO $$
DECLARE
    m record;
BEGIN
    FOR m IN SELECT month FROM tlsrpt.month_partitions() LOOP
        EXECUTE format('CREATE TABLE tlsrpt.%I PARTITION OF tlsrpt.failure_rollup '
                       'FOR VALUES FROM (%L) TO (%L)',
                       tlsrpt.partition_name('failure_rollup', m.month), m.month,
                       (m.month + interval '1 month')::date);
    END LOOP;
END
$$;

-- The rows of every stored report, from the views as they were (in day order, so that the
-- BRIN index above finds each day's rows together).
INSERT INTO tlsrpt.failure_rollup
SELECT report_pk, day, policy_domain, policy_type, reporter, organization_name, result_type,
       sending_mta_ip, receiving_mx_hostname, sessions, coalesce(representative, false)
FROM tlsrpt.failure_sessions
ORDER BY day, report_pk;

-- The rows for the failure details one statement inserted (transition table new_details),
-- with the representative policy type asked once per report and domain. SECURITY DEFINER:
-- the writers' roles need no privilege on failure_rollup.
CREATE FUNCTION tlsrpt.failure_rollup_add() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO tlsrpt.failure_rollup
    WITH g AS (
        SELECT p.report_pk, f.day, p.policy_domain, p.policy_type, f.result_type,
               coalesce(host(f.sending_mta_ip), f.sending_mta_ip_text, '') AS ip,
               coalesce(f.receiving_mx_hostname, '') AS mx,
               sum(f.failed_session_count::numeric) AS sessions
        FROM new_details f
        JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    ), rep AS (
        SELECT k.report_pk, k.day, k.domain,
               tlsrpt.representative_type(k.report_pk, k.day, k.domain) AS policy_type
        FROM (SELECT DISTINCT report_pk, day, coalesce(policy_domain, '') AS domain FROM g) k
    )
    SELECT g.report_pk, g.day, g.policy_domain, g.policy_type, r.reporter,
           r.organization_name, g.result_type, g.ip, g.mx, g.sessions,
           g.policy_type = rep.policy_type
    FROM g
    JOIN tlsrpt.reports r ON r.id = g.report_pk AND r.day = g.day
    JOIN rep ON rep.report_pk = g.report_pk AND rep.day = g.day
            AND rep.domain = coalesce(g.policy_domain, '')
    ORDER BY g.day; -- a bulk load's rows in day order, for the BRIN index
    RETURN NULL;
END
$$;
CREATE TRIGGER failure_rollup_add AFTER INSERT ON tlsrpt.failure_details
REFERENCING NEW TABLE AS new_details
FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_add();

-- A report's rows go when any of its policies is deleted (transition table old_policies).
CREATE FUNCTION tlsrpt.failure_rollup_remove() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM tlsrpt.failure_rollup u
    USING (SELECT DISTINCT report_pk, day FROM old_policies) o
    WHERE u.report_pk = o.report_pk AND u.day = o.day;
    RETURN NULL;
END
$$;
CREATE TRIGGER failure_rollup_remove AFTER DELETE ON tlsrpt.policies
REFERENCING OLD TABLE AS old_policies
FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_remove();

-- The same columns as before (the views' grants stay).
CREATE OR REPLACE VIEW tlsrpt.failure_sessions AS
SELECT report_pk, day, policy_domain, policy_type, reporter, organization_name, result_type,
       sending_mta_ip, receiving_mx_hostname, sessions, representative
FROM tlsrpt.failure_rollup;

CREATE OR REPLACE VIEW tlsrpt.daily_failures AS
SELECT day, policy_domain, result_type, sum(sessions) AS sessions
FROM tlsrpt.failure_rollup
WHERE representative
GROUP BY day, policy_domain, result_type;

-- report_sessions as in 009, with reports joined before the policies are summed: 009 joined
-- the sums, so that a filter on day pruned the policies but read every month of reports.
CREATE OR REPLACE VIEW tlsrpt.report_sessions AS
WITH per_type AS (
    SELECT p.report_pk, p.day, p.policy_domain, p.policy_type, r.reporter, r.organization_name,
           r.dkim_authenticated,
           sum(p.total_successful_session_count::numeric) AS successful,
           sum(p.total_failure_session_count::numeric) AS failed
    FROM tlsrpt.policies p
    JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day
    GROUP BY p.report_pk, p.day, p.policy_domain, p.policy_type, r.reporter,
             r.organization_name, r.dkim_authenticated
)
SELECT report_pk, day, policy_domain, policy_type, reporter, organization_name,
       dkim_authenticated, successful, failed,
       row_number() OVER (PARTITION BY report_pk, day, policy_domain
                          ORDER BY successful + failed DESC, policy_type = 'sts' DESC,
                                   policy_type = 'tlsa' DESC, policy_type) AS type_rank
FROM per_type;

-- As in 009, with failure_rollup the fourth table of each month.
CREATE OR REPLACE FUNCTION tlsrpt.ensure_partition(day date) RETURNS text
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
    IF to_regclass('tlsrpt.' || tlsrpt.partition_name('failure_rollup', m)) IS NOT NULL THEN
        RETURN 'exists';
    END IF;
    PERFORM pg_advisory_xact_lock(127978119672949); -- "tlsrpt" + 1: partition changes
    -- pg_class read afresh: the name cache does not see a table another holder of the lock
    -- just made
    IF tlsrpt.partition_exists(tlsrpt.partition_name('failure_rollup', m)) THEN
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
        WHERE d.id = r.id AND d.day = r.day; -- cascades to the other four
    END IF;
    FOREACH tbl IN ARRAY ARRAY['reports', 'policies', 'failure_details', 'failure_rollup'] LOOP
        EXECUTE format('CREATE TABLE tlsrpt.%I PARTITION OF tlsrpt.%I FOR VALUES FROM (%L) TO (%L)',
                       tlsrpt.partition_name(tbl, m), tbl, m, next_m);
    END LOOP;
    IF moved > 0 THEN
        INSERT INTO tlsrpt.reports SELECT * FROM tlsrpt_move_r;
        INSERT INTO tlsrpt.policies SELECT * FROM tlsrpt_move_p;
        INSERT INTO tlsrpt.failure_details SELECT * FROM tlsrpt_move_f;
        -- (failure_rollup's rows are written again by its trigger)
        INSERT INTO tlsrpt.report_conflicts SELECT * FROM tlsrpt_move_c;
        DROP TABLE pg_temp.tlsrpt_move_p, pg_temp.tlsrpt_move_f, pg_temp.tlsrpt_move_c;
    END IF;
    DROP TABLE pg_temp.tlsrpt_move_r;
    RETURN 'created';
END
$$;

-- As in 009, with failure_rollup dropped first.
CREATE OR REPLACE FUNCTION tlsrpt.drop_month(day date, OUT reports bigint, OUT policies bigint,
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
    FOREACH tbl IN ARRAY ARRAY['failure_rollup', 'failure_details', 'policies', 'reports'] LOOP
        IF tlsrpt.partition_exists(tlsrpt.partition_name(tbl, m)) THEN
            EXECUTE format('ALTER TABLE tlsrpt.%I DETACH PARTITION tlsrpt.%I',
                           tbl, tlsrpt.partition_name(tbl, m));
            EXECUTE format('DROP TABLE tlsrpt.%I', tlsrpt.partition_name(tbl, m));
        END IF;
    END LOOP;
END
$$;
