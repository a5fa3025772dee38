-- grafana_reader.sql: an optional read-only login role for Grafana's PostgreSQL data source,
-- with read-only transactions and a statement timeout. Its rights on the tlsrpt schema (SELECT
-- on the tables and views, also those later migrations add, and nothing else) come from
-- `tlsrptctl db grant --reader`, the one place that defines them. As a superuser (or a role
-- with CREATEROLE), then as the schema's owner, then set a password:
--   psql -d tlsrpt -f contrib/grafana/grafana_reader.sql
--   tlsrptctl db grant --reader grafana_reader --db 'dbname=tlsrpt'
--   psql -d tlsrpt -c "ALTER ROLE grafana_reader PASSWORD 'choose-one'"
-- In Grafana: Connections > Data sources > PostgreSQL: host, database tlsrpt, user
-- grafana_reader, TLS mode as your server wants; then import contrib/grafana/tlsrpt.json and
-- pick that data source.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana_reader') THEN
        CREATE ROLE grafana_reader LOGIN;
    END IF;
END
$$;
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';
