-- Installed extensions, filtered by the schema they live in.
-- $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT e.extname::pg_catalog.text,
       n.nspname::pg_catalog.text,
       e.extversion::pg_catalog.text
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
WHERE TRUE
