-- 005_https_client.sql: who posted an HTTPS report (RFC 8460 §5.4 reports carry no
-- authentication, so the client address and its User-Agent are what an operator can check).
-- NULL for reports that came by mail or from a file.
ALTER TABLE tlsrpt.reports ADD COLUMN client_address inet;
ALTER TABLE tlsrpt.reports ADD COLUMN user_agent text;
ALTER TABLE tlsrpt.report_conflicts ADD COLUMN client_address inet;
ALTER TABLE tlsrpt.report_conflicts ADD COLUMN user_agent text;
