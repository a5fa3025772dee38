-- bench_scale.sql: one month of synthetic reports for tests/store/bench_scale.sh, generated in
-- SQL. psql variables: :'first' and :'last' (days, inclusive), :domains. Per day and domain one
-- report (5 reporters take turns) with two policies for the domain (sts and tlsa, the same
-- sessions, as Microsoft reports them) of 14 failure details each (5 result types, 7 sending
-- MTAs, 2 MX hosts), and the report's JSON in `raw` as the store keeps it.
SELECT tlsrpt.ensure_partition(:'first'::date);

CREATE TEMP TABLE gen_reports AS
SELECT d::date AS day, i,
       (ARRAY['google.com', 'microsoft.com', 'yahoo.com', 'comcast.net', 'mail.ru'])[1 + i % 5]
           AS reporter
FROM generate_series(:'first'::date, :'last'::date, interval '1 day') d,
     generate_series(1, :domains) i;

INSERT INTO tlsrpt.reports (reporter, report_id, organization_name, contact_info,
                            start_datetime, end_datetime, source, content_hash, day, raw)
SELECT g.reporter, g.day || '-' || g.i, initcap(split_part(g.reporter, '.', 1)) || ' Inc.',
       'tlsrpt@' || g.reporter, g.day::timestamptz, g.day + interval '1 day' - interval '1 s',
       'smtp', md5(g.day || '-' || g.i), g.day,
       jsonb_build_object(
           'organization-name', g.reporter, 'report-id', g.day || '-' || g.i,
           'date-range', jsonb_build_object('start-datetime', g.day || 'T00:00:00Z',
                                            'end-datetime', g.day || 'T23:59:59Z'),
           'policies', (SELECT jsonb_agg(jsonb_build_object(
               'policy', jsonb_build_object('policy-type', t, 'policy-domain',
                                            'd' || g.i || '.example'),
               'summary', jsonb_build_object('total-successful-session-count', 1000 + g.i,
                                             'total-failure-session-count', 14 * (1 + g.i % 3)),
               'failure-details', (SELECT jsonb_agg(jsonb_build_object(
                   'result-type', 'certificate-expired', 'sending-mta-ip', '192.0.2.' || k,
                   'receiving-mx-hostname', 'mx' || k % 2 || '.d' || g.i || '.example',
                   'failed-session-count', 1 + g.i % 3)) FROM generate_series(1, 14) k)))
               FROM unnest(ARRAY['sts', 'tlsa']) t))
FROM gen_reports g;

INSERT INTO tlsrpt.policies (report_pk, ordinal, day, policy_type, policy_domain, mx_host,
                             total_successful_session_count, total_failure_session_count)
SELECT r.id, o - 1, r.day, (ARRAY['sts', 'tlsa'])[o],
       'd' || split_part(r.report_id, '-', 4) || '.example',
       ARRAY['mx0.d' || split_part(r.report_id, '-', 4) || '.example'],
       1000 + split_part(r.report_id, '-', 4)::int,
       14 * (1 + split_part(r.report_id, '-', 4)::int % 3)
FROM tlsrpt.reports r, generate_series(1, 2) o
WHERE r.day BETWEEN :'first' AND :'last';

INSERT INTO tlsrpt.failure_details (policy_pk, day, result_type, sending_mta_ip,
                                    receiving_mx_hostname, failed_session_count)
SELECT p.id, p.day,
       (ARRAY['certificate-expired', 'starttls-not-supported', 'validation-failure',
              'sts-policy-fetch-error', 'certificate-host-mismatch'])[1 + (p.id + k) % 5],
       ('192.0.2.' || k % 7)::inet, 'mx' || k % 2 || '.' || p.policy_domain,
       p.total_failure_session_count / 14
FROM tlsrpt.policies p, generate_series(1, 14) k
WHERE p.day BETWEEN :'first' AND :'last';
