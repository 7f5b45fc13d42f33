-- The smallest role driftcheck needs: it only reads, and only the system
-- catalogs plus the Alembic version table. Run as a superuser (or a role with
-- CREATEROLE that owns the database and its schemas), connected to the
-- application database:
--
--   psql -d app -v role=driftcheck -v password='…' -f docs/role.sql
--
-- Variables (all optional): role (default driftcheck), password (omit it for
-- certificate or peer authentication), version_table (default
-- public.alembic_version; run once per database, with its own table).
--
-- What it does NOT grant, because driftcheck does not need it (tests/least_privilege.rs):
-- no SELECT on any application table (the schema comes from pg_catalog, which
-- every role reads, and from pg_get_*def, which work on objects of any owner),
-- no predefined role (pg_read_all_data, pg_read_all_settings,
-- pg_read_all_stats, pg_monitor: none is used), no BYPASSRLS (driftcheck sets
-- row_security = off; a policy on the version table is an error, never run),
-- no write privilege of any kind.

\if :{?role}
\else
  \set role driftcheck
\endif
\if :{?version_table}
\else
  \set version_table public.alembic_version
\endif

\if :{?password}
CREATE ROLE :"role" LOGIN PASSWORD :'password'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;
\else
CREATE ROLE :"role" LOGIN
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;
\endif
-- Belt and braces: driftcheck asks for read-only sessions itself.
ALTER ROLE :"role" SET default_transaction_read_only = on;

-- CONNECT on this database (needed once REVOKE ALL ON DATABASE … FROM PUBLIC).
SELECT pg_catalog.format('GRANT CONNECT ON DATABASE %I TO %I',
                         pg_catalog.current_database(), :'role') \gexec

-- USAGE on every application schema that exists now (re-run, or
-- GRANT USAGE ON SCHEMA … TO driftcheck, when you add one). Without it a
-- schema's objects are still listed, but driftcheck warns `limited_visibility`.
SELECT pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %I', n.nspname, :'role')
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
ORDER BY 1 \gexec

-- SELECT on the version table: the only table whose rows driftcheck reads.
GRANT SELECT ON TABLE :version_table TO :"role";
