-- Indexes of tables and materialised views. $1 include schemas, $2 exclude schemas.
SELECT n.nspname::text,
       c.relname::text,
       ic.relname::text,
       pg_catalog.pg_get_indexdef(i.indexrelid),
       i.indisunique,
       i.indisprimary,
       con.conname::text,
       ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.n, true)
             FROM generate_series(1, i.indnkeyatts::int4) AS k(n)
             ORDER BY k.n)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_constraint con
       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
  AND NOT (n.nspname = ANY ($2::text[]))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
