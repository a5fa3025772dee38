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
--   reports no authenticated copy holds. The checks of new rows and deletions lock the report
--   row and read it as it is now, not as the statement's snapshot saw it: a writer racing the
--   transaction that authenticates a report waits for it and is then refused.
-- - A writer no longer chooses ids (its INSERT and UPDATE rights leave out the id column): the
--   store finds a report by id, so a writer giving its report another report's id could have
--   had that other report's policies replaced by the store.
-- What a writer is not granted at all (deleting reports, failure details or quarantined
-- messages, the rollup) is unchanged. A writer vouches for the DKIM verdicts it stores (it
-- verifies them itself): it can still store a report as authenticated while no authenticated
-- copy holds its key, and replace an unauthenticated one, as an authenticated copy would.
--
-- The owner of the tables is not subject to the policies (nor is a superuser), so a milter, an
-- importer or `tlsrptctl` running as the owner, the views and the rollup's SECURITY DEFINER
-- triggers behave as before. Readers read every row. A writer cannot COPY into these tables.

-- The column lists a writer may write: every column but the id (tlsrptctl db grant, and below).
CREATE FUNCTION tlsrpt.writer_columns(tab regclass) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    FROM pg_attribute
    WHERE attrelid = tab AND attnum > 0 AND NOT attisdropped AND attname <> 'id'
$$;

-- Whether a writer may change, or add to, report (id, day): no authenticated copy holds it, or
-- this transaction wrote that row (a new report, or the replacement of an unauthenticated one,
-- with its policies and details in one statement). VOLATILE: it reads the row as it is now,
-- after the lock, whatever the calling statement's snapshot, and so sees the report its own
-- statement inserted before. A report it cannot see (absent, or another transaction's not yet
-- committed) is refused.
CREATE FUNCTION tlsrpt.writer_may_change(report bigint, report_day date) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    open boolean;
BEGIN
    SELECT NOT r.dkim_authenticated OR r.xmin = pg_current_xact_id()::xid INTO open
    FROM tlsrpt.reports r WHERE r.id = report AND r.day = report_day
    FOR KEY SHARE;
    RETURN coalesce(open, false);
END
$$;

-- The same for the report of policy (id, day).
CREATE FUNCTION tlsrpt.writer_may_add_detail(policy bigint, policy_day date) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
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
-- every column but the id, and they may run the two checks above.
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT c.oid::regclass AS tab, a.privilege_type AS priv,
                    quote_ident(pg_get_userbyid(a.grantee)) AS role
             FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
             WHERE c.oid IN ('tlsrpt.reports'::regclass, 'tlsrpt.policies'::regclass,
                             'tlsrpt.failure_details'::regclass,
                             'tlsrpt.report_conflicts'::regclass)
               AND a.privilege_type IN ('INSERT', 'UPDATE')
               AND a.grantee <> 0 AND a.grantee <> c.relowner
    LOOP
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
