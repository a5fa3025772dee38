-- 012_writer_row_security.sql: once a DKIM-authenticated copy holds a report, a writer
-- (`tlsrptctl db grant --writer`) can neither change it nor add to it.
--
-- A writer needs UPDATE on reports and DELETE on policies and report_conflicts for one path:
-- an authenticated copy replacing an unauthenticated one of the same key (RFC 8460 §3: only a
-- report signed by its reporter counts), which rewrites the report row, deletes its policies
-- (their failure details go with them) and drops the conflict copy it promotes. Until now
-- those rights reached every report, so a compromised writer (tlsrpt-httpd faces the
-- internet) could rewrite or empty any stored report, or add policies and failure details to
-- it. Now:
-- - Row-level security limits a writer's changes, and its new policies and failure details, to
--   reports no authenticated copy holds, or that this transaction wrote as a writer (a new
--   report, or the replacement of an unauthenticated one: reports.writer_xact, writer_at).
--   The checks of new rows and deletions lock the report row and read it as it is now, not as
--   the statement's snapshot saw it: a writer racing the transaction that authenticates a
--   report waits for it and is then refused.
-- - A writer no longer chooses ids (its INSERT and UPDATE rights leave out the id column): the
--   store finds a report by id, so a writer giving its report another report's id could have
--   had that other report's policies replaced by the store.
-- What a writer is not granted at all (deleting reports, failure details or quarantined
-- messages, the rollup) is unchanged. A writer vouches for the DKIM verdicts it stores (it
-- verifies them itself): it can still store new reports as authenticated (by SQL of its own
-- also under a key an authenticated copy holds, on another day), and replace or mark
-- authenticated an unauthenticated one (a genuine copy coming later is then its duplicate).
--
-- The owner of the tables is not subject to the policies (nor is a superuser), so a milter, an
-- importer or `tlsrptctl` running as the owner, the views and the rollup's SECURITY DEFINER
-- triggers behave as before. Readers read every row. A writer cannot COPY into these tables.

-- As the owner of the schema's tables, as 010 and 011 (the functions are theirs).
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

-- The transaction that last wrote a report row under row security (a writer's): set by the
-- trigger below, never by the writer. NULL for the owner's writes, and kept when the owner's
-- ensure_partition moves a row out of the default partition in a writer's transaction. Its id
-- and its start time together: ids are unique only within one cluster, and a copy of the
-- database (pg_dump and restore, logical replication) hands the same ids out again, which a
-- writer could reach by burning transactions; the start time does not come round again.
ALTER TABLE tlsrpt.reports ADD COLUMN writer_xact xid8, ADD COLUMN writer_at timestamptz;
CREATE FUNCTION tlsrpt.mark_writer_xact() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF row_security_active('tlsrpt.reports') THEN
        NEW.writer_xact := pg_current_xact_id();
        NEW.writer_at := transaction_timestamp();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER writer_xact BEFORE INSERT OR UPDATE ON tlsrpt.reports
    FOR EACH ROW EXECUTE FUNCTION tlsrpt.mark_writer_xact();

-- The column lists a writer may write: every column but the id, writer_xact and writer_at
-- (tlsrptctl db grant, and below).
CREATE FUNCTION tlsrpt.writer_columns(tab regclass) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    FROM pg_attribute
    WHERE attrelid = tab AND attnum > 0 AND NOT attisdropped
      AND attname NOT IN ('id', 'writer_xact', 'writer_at')
$$;

-- Whether a writer may change, or add to, report (id, day): no authenticated copy holds it, or
-- this transaction wrote that row as a writer (a new report, or the replacement of an
-- unauthenticated one, with its policies and details in one statement). VOLATILE: it reads the
-- row as it is now, after the lock (which waits for any transaction changing it), whatever the
-- calling statement's snapshot, and so sees the report its own statement inserted before. A
-- report it cannot see (absent, or another transaction's not yet committed) is refused. Custom
-- plans, as 011's functions: a generic one would lock every partition.
CREATE FUNCTION tlsrpt.writer_may_change(report bigint, report_day date) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    open boolean;
BEGIN
    SELECT NOT r.dkim_authenticated
           OR (r.writer_xact = pg_current_xact_id() AND r.writer_at = transaction_timestamp())
    INTO open
    FROM tlsrpt.reports r WHERE r.id = report AND r.day = report_day
    FOR NO KEY UPDATE;
    RETURN coalesce(open, false);
END
$$;

-- The same for the report of policy (id, day).
CREATE FUNCTION tlsrpt.writer_may_add_detail(policy bigint, policy_day date) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    report bigint;
BEGIN
    SELECT p.report_pk INTO report FROM tlsrpt.policies p
    WHERE p.id = policy AND p.day = policy_day;
    RETURN report IS NOT NULL AND tlsrpt.writer_may_change(report, policy_day);
END
$$;

REVOKE ALL ON FUNCTION tlsrpt.writer_may_change(bigint, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION tlsrpt.writer_may_add_detail(bigint, date) FROM PUBLIC;

ALTER TABLE tlsrpt.reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON tlsrpt.reports FOR SELECT USING (true);
CREATE POLICY add ON tlsrpt.reports FOR INSERT WITH CHECK (true);
-- the replace path's UPDATE and its row lock (SELECT ... FOR UPDATE); an UPDATE that waited
-- for a concurrent one re-checks the newest row
CREATE POLICY change_unauthenticated ON tlsrpt.reports FOR UPDATE
    USING (NOT dkim_authenticated) WITH CHECK (true);

ALTER TABLE tlsrpt.policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON tlsrpt.policies FOR SELECT USING (true);
CREATE POLICY add_unauthenticated ON tlsrpt.policies FOR INSERT
    WITH CHECK (tlsrpt.writer_may_change(report_pk, day));
-- the replace path deletes the policies it writes anew
CREATE POLICY delete_unauthenticated ON tlsrpt.policies FOR DELETE
    USING (tlsrpt.writer_may_change(report_pk, day));

ALTER TABLE tlsrpt.failure_details ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON tlsrpt.failure_details FOR SELECT USING (true);
CREATE POLICY add_unauthenticated ON tlsrpt.failure_details FOR INSERT
    WITH CHECK (tlsrpt.writer_may_add_detail(policy_pk, day));

-- Copies that conflict with an authenticated report are kept too: adding them stays open.
ALTER TABLE tlsrpt.report_conflicts ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON tlsrpt.report_conflicts FOR SELECT USING (true);
CREATE POLICY add ON tlsrpt.report_conflicts FOR INSERT WITH CHECK (true);
-- the reason of a kept copy, renewed when the same copy is replaced again
CREATE POLICY change_unauthenticated ON tlsrpt.report_conflicts FOR UPDATE
    USING (tlsrpt.writer_may_change(report_pk, report_day)) WITH CHECK (true);
-- the copy an authenticated one promotes, dropped as it becomes the report
CREATE POLICY delete_unauthenticated ON tlsrpt.report_conflicts FOR DELETE
    USING (tlsrpt.writer_may_change(report_pk, report_day));

-- Writers granted before: their INSERT and UPDATE of these tables become the same rights on
-- the columns of writer_columns, and they may run the two checks above. A right held with grant
-- option (no `db grant` gives one) is left as it is, with a warning.
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT c.oid::regclass AS tab, a.privilege_type AS priv, a.is_grantable,
                    CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                         ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS role
             FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
             WHERE c.oid IN ('tlsrpt.reports'::regclass, 'tlsrpt.policies'::regclass,
                             'tlsrpt.failure_details'::regclass,
                             'tlsrpt.report_conflicts'::regclass)
               AND a.privilege_type IN ('INSERT', 'UPDATE') AND a.grantee <> c.relowner
    LOOP
        IF g.is_grantable THEN
            RAISE WARNING '% holds % on % with grant option: not limited to writer columns; '
                          'give it with tlsrptctl db grant --writer instead', g.role, g.priv, g.tab;
            CONTINUE;
        END IF;
        EXECUTE format('REVOKE %s ON %s FROM %s', g.priv, g.tab, g.role);
        EXECUTE format('GRANT %s (%s) ON %s TO %s', g.priv, tlsrpt.writer_columns(g.tab), g.tab,
                       g.role);
        IF g.tab = 'tlsrpt.policies'::regclass THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION tlsrpt.writer_may_change(bigint, date), '
                           'tlsrpt.writer_may_add_detail(bigint, date) TO %s', g.role);
        END IF;
    END LOOP;
END
$$;
