-- 002_report_conflicts.sql: copies of a report whose key (reporter, report_id) was already
-- stored with different content. RFC 8460 defines no superseding (digest §5): the first copy
-- stays in tlsrpt.reports, and each different later copy is kept here whole, once, so that no
-- report that reached the MX is lost (a forged first copy included, see RequireDKIM).
CREATE TABLE tlsrpt.report_conflicts (
    id           bigserial PRIMARY KEY,
    report_pk    bigint NOT NULL REFERENCES tlsrpt.reports (id) ON DELETE CASCADE,
    received_at  timestamptz NOT NULL DEFAULT now(),
    source       text NOT NULL CHECK (source IN ('smtp', 'file', 'https')),
    content_hash text NOT NULL,
    message_id   text,
    mail_from    text,
    subject      text,
    dkim_result  text,
    dkim_domain  text,
    raw          jsonb,
    raw_text     text,
    UNIQUE (report_pk, content_hash)
);
