-- 011_rollup_locks.sql: a storing transaction locks only the partitions of its reports' months.
--
-- 010's rollup functions ran generic plans (planned once per session), and PostgreSQL 15
-- locks every partition a generic plan could read, and each partition's indexes, before it
-- prunes them as the plan runs: a report's transaction held about 40 locks per month of
-- partitions (525 with 15 months). The shared lock table holds max_locks_per_transaction times
-- max_connections locks, so a dozen writers at once could exhaust the default one ("out of
-- shared memory"), and every lock past a backend's 16 fast-path slots goes through the lock
-- manager's shared locks. Now each statement is planned with its values (custom plans), and
-- every read of a partitioned table carries a condition on `day` the planner can prune with,
-- so only the partitions of the days being written are opened and locked: a new report's
-- transaction holds 75 locks at commit with 15 months of partitions, whatever the history (most
-- are the store's key lookup over +-31 days and the foreign keys). Replacing an unauthenticated
-- copy by an authenticated one still locks every month of reports and policies: the store finds
-- that report by id. The price: the plans are made at every call, about 6 ms of database time
-- per report more.
--
-- The functions are replaced as they were in 010 but for plan_cache_mode and the `day`
-- conditions, which now name the distinct days only (a bulk statement's arrays hold one day per
-- report): failure_rollup_refresh's reads and its DELETE, the report-row lock of
-- failure_rollup_sync for policies, its rollup lookup, and the policies join of a
-- failure_details change (which takes the days of the changed rows first).

-- As the owner of the schema's tables, as 010 (the functions stay theirs and SECURITY DEFINER).
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

-- tlsrpt.representative_type of 008 and 010 (RFC 8460 §4.4: the policy type whose counts stand
-- for a report's sessions of a domain), without a plan mode of its own: called from
-- failure_rollup_refresh it is planned for its report's day (the caller's custom plans), called
-- by hand its plan is kept for the session as usual.
CREATE OR REPLACE FUNCTION tlsrpt.representative_type(report bigint, report_day date, domain text)
RETURNS text LANGUAGE plpgsql STABLE PARALLEL SAFE
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

-- As 010: recomputes the rollup rows of the reports (report_pks[i], days[i]).
CREATE OR REPLACE FUNCTION tlsrpt.failure_rollup_refresh(report_pks bigint[], days date[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    -- the distinct days, the constant every read prunes by (a bulk statement's `days` holds
    -- one day per report)
    prune_days date[] := ARRAY(SELECT DISTINCT d FROM unnest(days) d WHERE d IS NOT NULL);
BEGIN
    IF coalesce(cardinality(report_pks), 0) = 0 THEN
        RETURN;
    END IF;
    PERFORM FROM (SELECT DISTINCT * FROM unnest(report_pks, days) AS k(report_pk, day)
                  ORDER BY 1, 2) k
    CROSS JOIN LATERAL (SELECT FROM tlsrpt.reports r
                        WHERE r.id = k.report_pk AND r.day = k.day
                          AND r.day = ANY (prune_days)
                        OFFSET 0 FOR NO KEY UPDATE) l;
    DELETE FROM tlsrpt.failure_rollup u
    WHERE u.day = ANY (prune_days) AND (u.id, u.day) IN (
        SELECT x.id, x.day
        FROM (SELECT DISTINCT * FROM unnest(report_pks, days) AS k(report_pk, day)) k
        CROSS JOIN LATERAL (SELECT u.id, u.day FROM tlsrpt.failure_rollup u
                            WHERE u.report_pk = k.report_pk AND u.day = k.day
                              AND u.day = ANY (prune_days) OFFSET 0) x);
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
                            WHERE r.id = k.report_pk AND r.day = k.day
                              AND r.day = ANY (prune_days)
                            OFFSET 0) r
        CROSS JOIN LATERAL (SELECT p.id, p.report_pk, p.day, p.policy_domain, p.policy_type
                            FROM tlsrpt.policies p
                            WHERE p.report_pk = k.report_pk AND p.day = k.day
                              AND p.day = ANY (prune_days) OFFSET 0) p
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
                        WHERE f.policy_pk = p.id AND f.day = p.day
                          AND f.day = ANY (prune_days)
                        OFFSET 0) f
    JOIN rep ON rep.report_pk = p.report_pk AND rep.day = p.day
            AND rep.domain = coalesce(p.policy_domain, '')
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, rep.policy_type
    ORDER BY 2; -- a bulk load's rows in day order, for the BRIN index
END
$$;

-- As 010: which reports a statement touched, from its transition tables.
CREATE OR REPLACE FUNCTION tlsrpt.failure_rollup_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    pks bigint[];
    days date[];
    detail_days date[]; -- the distinct days of the changed rows, to prune by
BEGIN
    IF TG_TABLE_SCHEMA <> 'tlsrpt' THEN
        RAISE EXCEPTION 'tlsrpt.failure_rollup_sync is for the tlsrpt tables only';
    END IF;
    IF TG_TABLE_NAME = 'failure_details' AND TG_OP = 'UPDATE' THEN
        SELECT array_agg(day) INTO detail_days
        FROM (SELECT day FROM changed UNION SELECT day FROM before) d;
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM (SELECT p.report_pk, p.day FROM changed f
              JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day
                                    AND p.day = ANY (detail_days)
              UNION
              SELECT p.report_pk, p.day FROM before f
              JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day
                                    AND p.day = ANY (detail_days)) k;
    ELSIF TG_TABLE_NAME = 'failure_details' THEN
        SELECT array_agg(DISTINCT day) INTO detail_days FROM changed;
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM (SELECT DISTINCT p.report_pk, p.day FROM changed f
              JOIN tlsrpt.policies p ON p.id = f.policy_pk AND p.day = f.day
                                    AND p.day = ANY (detail_days)) k;
    ELSIF TG_TABLE_NAME = 'policies' AND TG_OP = 'INSERT' THEN
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM (SELECT DISTINCT report_pk, day FROM changed) k;
        SELECT array_agg(DISTINCT day) INTO detail_days FROM changed;
        PERFORM FROM (SELECT DISTINCT * FROM unnest(pks, days) AS k(report_pk, day)
                      ORDER BY 1, 2) k
        CROSS JOIN LATERAL (SELECT FROM tlsrpt.reports r
                            WHERE r.id = k.report_pk AND r.day = k.day
                              AND r.day = ANY (detail_days)
                            OFFSET 0 FOR NO KEY UPDATE) l;
        SELECT array_agg(report_pk), array_agg(day) INTO pks, days
        FROM unnest(pks, days) AS k(report_pk, day)
        WHERE EXISTS (SELECT FROM tlsrpt.failure_rollup u
                      WHERE u.report_pk = k.report_pk AND u.day = k.day
                        AND u.day = ANY (detail_days) OFFSET 0);
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
