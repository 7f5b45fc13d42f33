-- Domains with their check constraints. $1 include schemas, $2 exclude schemas.
SELECT n.nspname::text,
       t.typname::text,
       pg_catalog.format_type(t.typbasetype, t.typtypmod),
       t.typnotnull,
       pg_catalog.pg_get_expr(t.typdefaultbin, 0),
       ARRAY(SELECT pg_catalog.pg_get_constraintdef(con.oid) FROM pg_catalog.pg_constraint con
             WHERE con.contypid = t.oid AND con.contype = 'c' ORDER BY 1),
       pg_catalog.pg_get_userbyid(t.typowner)::text
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
  AND NOT (n.nspname = ANY ($2::text[]))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
