-- 012_writer_row_security.sql: a writer (`tlsrptctl db grant --writer`) changes only reports
-- that no DKIM-authenticated copy holds.
--
-- A writer needs UPDATE on reports and DELETE on policies and report_conflicts for one path:
-- an authenticated copy replacing an unauthenticated one of the same key (RFC 8460 §3: only a
-- report signed by its reporter counts), which rewrites the report row, deletes its policies
-- (their failure details go with them) and drops the conflict copy it promotes. Until now
-- those rights reached every report, so a compromised writer (tlsrpt-httpd faces the
-- internet) could rewrite or empty any stored report, or add policies and failure details to
-- it. Row-level security now limits changes, and new policies and details, to reports that
-- are not authenticated. What a writer is not granted at all (deleting reports, details or
-- quarantined messages, the rollup) is unchanged. A writer can still add reports and
-- conflicting copies, and replace an unauthenticated report (as an authenticated copy does).
--
-- The owner of the tables is not subject to these policies (nor is a superuser), so a milter,
-- an importer or `tlsrptctl` running as the owner, the views and the rollup's SECURITY DEFINER
-- triggers behave as before. A role that reads through the tables (a reader, Grafana) reads
-- every row. pg_dump by a role that is neither refuses to run unless given
-- --enable-row-security: back up as the owner or a superuser.

-- A policy's row belongs to a report no authenticated copy holds (the day prunes the lookup to
-- that report's partition). Policies are checked as the querying role, which reads reports.
ALTER TABLE tlsrpt.reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON tlsrpt.reports FOR SELECT USING (true);
CREATE POLICY add ON tlsrpt.reports FOR INSERT WITH CHECK (true);
-- the replace path's UPDATE and its row lock (SELECT ... FOR UPDATE), and the verdict upgrade
CREATE POLICY change_unauthenticated ON tlsrpt.reports FOR UPDATE
    USING (NOT dkim_authenticated) WITH CHECK (true);

-- New rows: not under a report an authenticated copy holds. A statement does not see its own
-- changes, so the store's, which add a report (or replace an unauthenticated one) with its
-- policies and details in one statement, pass: the report it writes is not yet there.
ALTER TABLE tlsrpt.policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON tlsrpt.policies FOR SELECT USING (true);
CREATE POLICY add_unauthenticated ON tlsrpt.policies FOR INSERT
    WITH CHECK (NOT EXISTS (SELECT FROM tlsrpt.reports r
                            WHERE r.id = policies.report_pk AND r.day = policies.day
                              AND r.dkim_authenticated));
-- the replace path deletes the policies it writes anew
CREATE POLICY delete_unauthenticated ON tlsrpt.policies FOR DELETE
    USING (EXISTS (SELECT FROM tlsrpt.reports r
                   WHERE r.id = policies.report_pk AND r.day = policies.day
                     AND NOT r.dkim_authenticated));

ALTER TABLE tlsrpt.failure_details ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON tlsrpt.failure_details FOR SELECT USING (true);
CREATE POLICY add_unauthenticated ON tlsrpt.failure_details FOR INSERT
    WITH CHECK (NOT EXISTS (SELECT FROM tlsrpt.policies p
                            JOIN tlsrpt.reports r ON r.id = p.report_pk AND r.day = p.day
                            WHERE p.id = failure_details.policy_pk
                              AND p.day = failure_details.day AND r.dkim_authenticated));

-- Copies that conflict with an authenticated report are kept too: adding rows stays open.
ALTER TABLE tlsrpt.report_conflicts ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON tlsrpt.report_conflicts FOR SELECT USING (true);
CREATE POLICY add ON tlsrpt.report_conflicts FOR INSERT WITH CHECK (true);
-- the reason of a kept copy, renewed when the same copy is replaced again
CREATE POLICY change_unauthenticated ON tlsrpt.report_conflicts FOR UPDATE
    USING (EXISTS (SELECT FROM tlsrpt.reports r
                   WHERE r.id = report_conflicts.report_pk AND r.day = report_conflicts.report_day
                     AND NOT r.dkim_authenticated))
    WITH CHECK (true);
-- the copy an authenticated one promotes, dropped as it becomes the report
CREATE POLICY delete_unauthenticated ON tlsrpt.report_conflicts FOR DELETE
    USING (EXISTS (SELECT FROM tlsrpt.reports r
                   WHERE r.id = report_conflicts.report_pk AND r.day = report_conflicts.report_day
                     AND NOT r.dkim_authenticated));
