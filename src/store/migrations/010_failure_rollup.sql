-- 010_failure_rollup.sql: the failure breakdowns are worked out once, when a report's
-- failure details are written, instead of again on every read.
--
-- failure_sessions (007, 008, 009) grouped a window's failure details with their policies and
-- reports and asked tlsrpt.representative_type for every row: over 7 days of a receiver with
-- 1,000 domains (200,000 failure details) it took 0.4-0.7 s, and daily_failures, which sums
-- it, 0.35-1.4 s. Their answer only changes when a report's rows change, so triggers write it
-- then into tlsrpt.failure_rollup: one row per report, policy domain, policy type, result
-- type, sending MTA and receiving MX, with the failed sessions summed, and `representative`:
-- whether that policy type is the one whose counts stand for the report's sessions of that
-- domain (RFC 8460 §4.4; the rule stays in tlsrpt.representative_type, 008).
-- failure_sessions and daily_failures read this table, with the same columns as before.
--
-- Triggers, not the store's statement, so that every writer keeps it right: the store, an
-- older build still running on another MX during an upgrade, tlsrpt.ensure_partition moving
-- rows, a bulk load or a correction in SQL. Any INSERT, UPDATE or DELETE through the parent
-- tables reports, policies or failure_details recomputes the rows of the reports it touched
-- (tlsrpt.failure_rollup_refresh); TRUNCATE of policies or failure_details empties it. Writes
-- straight into a partition (tlsrpt.failure_details_p2026_03, say) fire no trigger of the
-- parent: write through the parents. Partitioned by month like the other three (009):
-- ensure_partition makes and drop_month drops its partitions with theirs. The cost: about as
-- much space again as failure_details (README, "A year of history").
--
-- Also: the partition functions of 009, SECURITY DEFINER, were executable by every role (a
-- read-only Grafana role could drop a month): now only by the owner and the roles that may
-- write reports.

-- Everything below is made as the owner of the schema's tables (ensure_partition, which runs
-- as its owner, must be able to make failure_rollup's partitions): run this migration as that
-- role or a member of it.
DO $$
DECLARE
    owner text := (SELECT relowner::regrole::text FROM pg_catalog.pg_class
                   WHERE oid = 'tlsrpt.reports'::regclass);
BEGIN
    EXECUTE format('SET LOCAL ROLE %s', owner);
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'run tlsrptctl db migrate as % (the owner of the tlsrpt tables) or a member '
                    'of that role', owner;
END
$$;

-- No partition is made or dropped meanwhile (the lock of ensure_partition and drop_month: one
-- waiting with 009's body would make a month without failure_rollup's partition), and no
-- report is written while the rollup is filled (each waits, or answers 4xx after its
-- statement timeout, and the sender retries).
SELECT pg_advisory_xact_lock(127978119672949);
LOCK TABLE tlsrpt.reports, tlsrpt.policies, tlsrpt.failure_details IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE tlsrpt.failure_rollup (
    id                    bigserial,
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
    representative        boolean NOT NULL
) PARTITION BY RANGE (day);
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
-- BRIN index below finds each day's rows together); keys and indexes after.
INSERT INTO tlsrpt.failure_rollup (report_pk, day, policy_domain, policy_type, reporter,
    organization_name, result_type, sending_mta_ip, receiving_mx_hostname, sessions,
    representative)
SELECT report_pk, day, policy_domain, policy_type, reporter, organization_name, result_type,
       sending_mta_ip, receiving_mx_hostname, sessions, coalesce(representative, false)
FROM tlsrpt.failure_sessions
ORDER BY day, report_pk;

ALTER TABLE tlsrpt.failure_rollup ADD PRIMARY KEY (id, day); -- logical replication's identity
-- a report's rows (refresh, and the foreign key's cascade)
CREATE INDEX failure_rollup_report_idx ON tlsrpt.failure_rollup (report_pk, day);
-- failure_sessions over a few days of a month's partition (rows arrive in about day order)
CREATE INDEX failure_rollup_day_idx ON tlsrpt.failure_rollup USING brin (day);
-- daily_failures: an index-only scan of the window
CREATE INDEX failure_rollup_daily_idx ON tlsrpt.failure_rollup (day, policy_domain, result_type)
    INCLUDE (sessions) WHERE representative;
ALTER TABLE tlsrpt.failure_rollup ADD FOREIGN KEY (report_pk, day)
    REFERENCES tlsrpt.reports (id, day) ON UPDATE CASCADE ON DELETE CASCADE;

-- Readers of failure_details may read its rollup (the views need no grant: they run with
-- their owner's rights; tlsrptctl summary reads the table).
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT a.grantee FROM pg_catalog.pg_class c, aclexplode(c.relacl) a
             WHERE c.oid = 'tlsrpt.failure_details'::regclass AND a.grantee <> c.relowner
               AND a.privilege_type = 'SELECT' LOOP
        EXECUTE format('GRANT SELECT ON tlsrpt.failure_rollup TO %s',
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END);
    END LOOP;
END
$$;

-- tlsrpt.representative_type of 008, the same rule in PL/pgSQL: its query is planned once per
-- session (a generic plan, pruned to one partition as it runs), not at every call (the plan of
-- an SQL function that cannot be inlined lives for one call: a millisecond over partitions).
CREATE OR REPLACE FUNCTION tlsrpt.representative_type(report bigint, report_day date, domain text)
RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN (SELECT p.policy_type
            FROM tlsrpt.policies p
            WHERE p.report_pk = report AND coalesce(p.policy_domain, '') = coalesce(domain, '')
              AND p.day = report_day
            GROUP BY p.policy_type
            ORDER BY sum(p.total_successful_session_count::numeric +
                         p.total_failure_session_count) DESC,
                     p.policy_type = 'sts' DESC, p.policy_type = 'tlsa' DESC, p.policy_type
            LIMIT 1);
END
$$;

-- Recomputes the rollup rows of the reports (report_pks[i], days[i]) from their failure
-- details: locks the reports' rows (two sessions refreshing one report take turns: otherwise
-- the second, not seeing the first's new rows, would add its own), deletes their rollup rows,
-- then writes one row per report, policy domain, policy type, result type, sending MTA and
-- MX, with the representative policy type asked once per report and domain. Every table is
-- reached from the (report, day) pairs by its index on them (LATERAL ... OFFSET 0: a lookup
-- per pair, never a scan, one partition each as the plan runs). The plans are made once per
-- session (generic plans): planned at every call, this cost 6-7 ms a report, against about
-- 1.5 ms. The price: a generic plan locks every partition of the tables it reads, so each
-- storing transaction holds a few hundred locks (README: max_locks_per_transaction).
CREATE FUNCTION tlsrpt.failure_rollup_refresh(report_pks bigint[], days date[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    IF coalesce(cardinality(report_pks), 0) = 0 THEN
        RETURN;
    END IF;
    PERFORM FROM (SELECT DISTINCT * FROM unnest(report_pks, days) AS k(report_pk, day)
                  ORDER BY 1, 2) k
    CROSS JOIN LATERAL (SELECT FROM tlsrpt.reports r
                        WHERE r.id = k.report_pk AND r.day = k.day AND r.day = ANY (days)
                        OFFSET 0 FOR NO KEY UPDATE) l;
    DELETE FROM tlsrpt.failure_rollup u
    WHERE (u.id, u.day) IN (
        SELECT x.id, x.day
        FROM (SELECT DISTINCT * FROM unnest(report_pks, days) AS k(report_pk, day)) k
        CROSS JOIN LATERAL (SELECT u.id, u.day FROM tlsrpt.failure_rollup u
                            WHERE u.report_pk = k.report_pk AND u.day = k.day
                              AND u.day = ANY (days) OFFSET 0) x);
    INSERT INTO tlsrpt.failure_rollup (report_pk, day, policy_domain, policy_type, reporter,
        organization_name, result_type, sending_mta_ip, receiving_mx_hostname, sessions,
        representative)
    WITH k AS MATERIALIZED (
        SELECT DISTINCT report_pk, day FROM unnest(report_pks, days) AS k(report_pk, day)
    ), p AS MATERIALIZED (
        SELECT p.id, p.report_pk, p.day, p.policy_domain, p.policy_type, r.reporter,
               r.organization_name
        FROM k
        CROSS JOIN LATERAL (SELECT r.reporter, r.organization_name FROM tlsrpt.reports r
                            WHERE r.id = k.report_pk AND r.day = k.day AND r.day = ANY (days)
                            OFFSET 0) r
        CROSS JOIN LATERAL (SELECT p.id, p.report_pk, p.day, p.policy_domain, p.policy_type
                            FROM tlsrpt.policies p
                            WHERE p.report_pk = k.report_pk AND p.day = k.day
                              AND p.day = ANY (days) OFFSET 0) p
    ), rep AS MATERIALIZED (
        SELECT d.report_pk, d.day, d.domain,
               tlsrpt.representative_type(d.report_pk, d.day, d.domain) AS policy_type
        FROM (SELECT DISTINCT report_pk, day, coalesce(policy_domain, '') AS domain FROM p) d
    )
    SELECT p.report_pk, p.day, p.policy_domain, p.policy_type, p.reporter, p.organization_name,
           f.result_type, coalesce(host(f.sending_mta_ip), f.sending_mta_ip_text, ''),
           coalesce(f.receiving_mx_hostname, ''), sum(f.failed_session_count::numeric),
           p.policy_type = rep.policy_type
    FROM p
    CROSS JOIN LATERAL (SELECT f.* FROM tlsrpt.failure_details f
                        WHERE f.policy_pk = p.id AND f.day = p.day AND f.day = ANY (days)
                        OFFSET 0) f
    JOIN rep ON rep.report_pk = p.report_pk AND rep.day = p.day
            AND rep.domain = coalesce(p.policy_domain, '')
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, rep.policy_type
    ORDER BY 2; -- a bulk load's rows in day order, for the BRIN index
END
$$;

-- The statement triggers: which reports a statement touched, from its transition tables
-- (`changed`: the new rows, or the old ones of a DELETE; `before`: the old rows of an
-- UPDATE). A policy inserted into a report that has no rollup rows yet changes nothing (the
-- store writes a report's policies and details in one statement; its details' trigger
-- counts): the report's row is locked before that is decided. An UPDATE of reports counts
-- only where day, reporter or organization_name changed (not a DKIM upgrade).
CREATE FUNCTION tlsrpt.failure_rollup_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    pks bigint[];
    days date[];
BEGIN
    IF TG_TABLE_SCHEMA <> 'tlsrpt' THEN
        RAISE EXCEPTION 'tlsrpt.failure_rollup_sync is for the tlsrpt tables only';
    END IF;
    IF TG_TABLE_NAME = 'failure_details' AND TG_OP = 'UPDATE' THEN
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM (SELECT p.report_pk, p.day FROM changed f
              JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day
              UNION
              SELECT p.report_pk, p.day FROM before f
              JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day) k;
    ELSIF TG_TABLE_NAME = 'failure_details' THEN
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM (SELECT DISTINCT p.report_pk, p.day FROM changed f
              JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day) k;
    ELSIF TG_TABLE_NAME = 'policies' AND TG_OP = 'INSERT' THEN
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM (SELECT DISTINCT report_pk, day FROM changed) k;
        PERFORM FROM (SELECT DISTINCT * FROM unnest(pks, days) AS k(report_pk, day)
                      ORDER BY 1, 2) k
        CROSS JOIN LATERAL (SELECT FROM tlsrpt.reports r
                            WHERE r.id = k.report_pk AND r.day = k.day
                            OFFSET 0 FOR NO KEY UPDATE) l;
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM unnest(pks, days) AS k(report_pk, day)
        WHERE EXISTS (SELECT FROM tlsrpt.failure_rollup u
                      WHERE u.report_pk = k.report_pk AND u.day = k.day OFFSET 0);
    ELSIF TG_TABLE_NAME = 'policies' AND TG_OP = 'DELETE' THEN
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM (SELECT DISTINCT report_pk, day FROM changed) k;
    ELSIF TG_TABLE_NAME = 'policies' THEN
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM (SELECT report_pk, day FROM changed UNION SELECT report_pk, day FROM before) k;
    ELSIF TG_TABLE_NAME = 'reports' THEN -- an UPDATE
        SELECT array_agg(id), array_agg(day) INTO pks, days
        FROM (SELECT c.id, c.day FROM changed c JOIN before b ON b.id = c.id
              WHERE (c.day, c.reporter, c.organization_name)
                    IS DISTINCT FROM (b.day, b.reporter, b.organization_name)
              UNION
              SELECT b.id, b.day FROM changed c JOIN before b ON b.id = c.id
              WHERE (c.day, c.reporter, c.organization_name)
                    IS DISTINCT FROM (b.day, b.reporter, b.organization_name)) k;
    ELSE
        RAISE EXCEPTION 'tlsrpt.failure_rollup_sync is not for %.%', TG_TABLE_SCHEMA,
            TG_TABLE_NAME;
    END IF;
    PERFORM tlsrpt.failure_rollup_refresh(pks, days);
    RETURN NULL;
END
$$;
CREATE TRIGGER failure_rollup_insert AFTER INSERT ON tlsrpt.failure_details
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_sync();
CREATE TRIGGER failure_rollup_update AFTER UPDATE ON tlsrpt.failure_details
REFERENCING NEW TABLE AS changed OLD TABLE AS before
FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_sync();
CREATE TRIGGER failure_rollup_delete AFTER DELETE ON tlsrpt.failure_details
REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_sync();
CREATE TRIGGER failure_rollup_insert AFTER INSERT ON tlsrpt.policies
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_sync();
CREATE TRIGGER failure_rollup_update AFTER UPDATE ON tlsrpt.policies
REFERENCING NEW TABLE AS changed OLD TABLE AS before
FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_sync();
CREATE TRIGGER failure_rollup_delete AFTER DELETE ON tlsrpt.policies
REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_sync();
CREATE TRIGGER failure_rollup_update AFTER UPDATE ON tlsrpt.reports
REFERENCING NEW TABLE AS changed OLD TABLE AS before
FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_sync();

CREATE FUNCTION tlsrpt.failure_rollup_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- empty already when the TRUNCATE took it too (reports ... CASCADE), and then it may not
    -- be truncated again within that statement
    IF EXISTS (SELECT FROM tlsrpt.failure_rollup) THEN
        TRUNCATE tlsrpt.failure_rollup;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER failure_rollup_truncate AFTER TRUNCATE ON tlsrpt.failure_details
FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_truncate();
CREATE TRIGGER failure_rollup_truncate AFTER TRUNCATE ON tlsrpt.policies
FOR EACH STATEMENT EXECUTE FUNCTION tlsrpt.failure_rollup_truncate();

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

-- As in 009, with failure_rollup the fourth table of each month; a partition already there is
-- kept (a month that a call still running 009's body began), and the default partitions are
-- locked while their rows of the month move.
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
    -- attached while the default one holds rows of its range), and come back routed; nobody
    -- changes them meanwhile
    LOCK TABLE tlsrpt.reports_default, tlsrpt.policies_default, tlsrpt.failure_details_default,
        tlsrpt.failure_rollup_default IN SHARE ROW EXCLUSIVE MODE;
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
        IF NOT tlsrpt.partition_exists(tlsrpt.partition_name(tbl, m)) THEN -- a month 009 began
            EXECUTE format('CREATE TABLE tlsrpt.%I PARTITION OF tlsrpt.%I '
                           'FOR VALUES FROM (%L) TO (%L)',
                           tlsrpt.partition_name(tbl, m), tbl, m, next_m);
        END IF;
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

-- Functions that write as their owner (SECURITY DEFINER): not for every role. The roles that
-- may write reports may also make a month's partitions (the store asks for them); dropping a
-- month is the owner's (tlsrptctl db prune).
REVOKE EXECUTE ON FUNCTION tlsrpt.failure_rollup_refresh(bigint[], date[]),
    tlsrpt.failure_rollup_sync(), tlsrpt.failure_rollup_truncate(),
    tlsrpt.ensure_partition(date), tlsrpt.drop_month(date) FROM PUBLIC;
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT DISTINCT a.grantee FROM pg_catalog.pg_class c, aclexplode(c.relacl) a
             WHERE c.oid = 'tlsrpt.reports'::regclass AND a.grantee <> c.relowner
               AND a.privilege_type = 'INSERT' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION tlsrpt.ensure_partition(date) TO %s',
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END);
    END LOOP;
END
$$;
