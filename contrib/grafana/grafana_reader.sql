-- grafana_reader.sql: an optional read-only role for Grafana's PostgreSQL data source. It may
-- read the tlsrpt schema (tables and views, also those later migrations add) and nothing
-- else. Run it once as a superuser or the database owner, then set a password:
--   psql -d tlsrpt -f contrib/grafana/grafana_reader.sql
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
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO grafana_reader', current_database());
END
$$;
GRANT USAGE ON SCHEMA tlsrpt TO grafana_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA tlsrpt TO grafana_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA tlsrpt GRANT SELECT ON TABLES TO grafana_reader;
