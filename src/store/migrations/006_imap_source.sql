-- 006_imap_source.sql: reports read from an IMAP
-- mailbox by `tlsrptctl import imaps://...` are stored with source 'imap', and so are the
-- messages of such a mailbox that are quarantined or kept as conflicting copies.
ALTER TABLE tlsrpt.reports DROP CONSTRAINT reports_source_check,
    ADD CONSTRAINT reports_source_check CHECK (source IN ('smtp', 'file', 'https', 'imap'));
ALTER TABLE tlsrpt.rejected_messages DROP CONSTRAINT rejected_messages_source_check,
    ADD CONSTRAINT rejected_messages_source_check
        CHECK (source IN ('smtp', 'file', 'https', 'imap'));
ALTER TABLE tlsrpt.report_conflicts DROP CONSTRAINT report_conflicts_source_check,
    ADD CONSTRAINT report_conflicts_source_check
        CHECK (source IN ('smtp', 'file', 'https', 'imap'));
