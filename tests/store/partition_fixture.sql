-- partition_fixture.sql: a populated database at schema version 7 (before 009_partitioning.sql)
-- for test_store_partitions.cpp: 300 reports over about 14 months (days 1..420 back), each with
-- two policies and up to three failure details, conflicting copies, one report of 2001 (outside
-- the partition window: the default partition) and 'fixture-recent' from yesterday.
-- A role tlsrpt_fixture_reader (left in the cluster, owning nothing) holds some privileges.
INSERT INTO tlsrpt.reports (reporter, report_id, organization_name, start_datetime, end_datetime,
                            source, content_hash, quirks)
SELECT 'fixture.example', 'fixture-' || n, 'Fixture Org',
       date_trunc('day', now()) - make_interval(days => n * 7 % 420 + 1),
       date_trunc('day', now()) - make_interval(days => n * 7 % 420 + 1) + interval '1 day' -
           interval '1 second',
       'smtp', md5(n::text), CASE WHEN n % 5 = 0 THEN '{no-contact}'::text[] ELSE '{}' END
FROM generate_series(1, 300) n;
INSERT INTO tlsrpt.reports (reporter, report_id, start_datetime, end_datetime, source,
                            content_hash)
VALUES ('fixture.example', 'fixture-ancient', '2001-01-01', '2001-01-02', 'file', 'a'),
       ('fixture.example', 'fixture-recent', date_trunc('day', now()) - interval '1 day',
        date_trunc('day', now()) - interval '1 second', 'file', 'x');
INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type, policy_domain,
                             total_successful_session_count, total_failure_session_count)
SELECT r.id, o, (r.start_datetime AT TIME ZONE 'UTC')::date, CASE o WHEN 0 THEN 'sts' ELSE 'tlsa' END,
       'd' || r.id % 7 || '.example', 100 + r.id, r.id % 4
FROM tlsrpt.reports r CROSS JOIN generate_series(0, 1) o;
INSERT INTO tlsrpt.failure_details (policy_pk, day, result_type, sending_mta_ip,
                                    receiving_mx_hostname, failed_session_count)
SELECT p.id, p.day, (ARRAY['certificate-expired', 'starttls-not-supported', 'validation-failure'])[k],
       ('192.0.2.' || k)::inet, 'mx' || k || '.example', k
FROM tlsrpt.policies p CROSS JOIN generate_series(1, 3) k
WHERE k <= p.total_failure_session_count;
INSERT INTO tlsrpt.report_conflicts (report_pk, source, content_hash)
SELECT id, 'smtp', md5('other' || id) FROM tlsrpt.reports WHERE id % 50 = 0;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tlsrpt_fixture_reader') THEN
        CREATE ROLE tlsrpt_fixture_reader;
    END IF;
END
$$;
GRANT SELECT ON tlsrpt.reports, tlsrpt.daily_failures TO tlsrpt_fixture_reader;
GRANT INSERT ON tlsrpt.failure_details TO tlsrpt_fixture_reader;
