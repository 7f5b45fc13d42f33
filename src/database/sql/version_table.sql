-- Find the version table without raising when it is missing ($1: quoted [schema.]name).
SELECT n.nspname::text,
       c.relname::text,
       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = c.oid AND a.attname = 'version_num' AND NOT a.attisdropped)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = pg_catalog.to_regclass($1)
