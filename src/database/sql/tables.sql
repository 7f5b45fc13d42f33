-- Ordinary, partitioned and foreign tables. $1 include schemas, $2 exclude schemas.
SELECT n.nspname::text,
       c.relname::text,
       CASE c.relkind WHEN 'p' THEN 'partitioned_table' WHEN 'f' THEN 'foreign_table' ELSE 'table' END,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
       CASE WHEN c.relispartition THEN pn.nspname || '.' || p.relname END,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
       c.relrowsecurity,
       c.relforcerowsecurity,
       pg_catalog.pg_get_userbyid(c.relowner)::text,
       c.relacl::text,
       dsc.description
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
LEFT JOIN pg_catalog.pg_description dsc
       ON dsc.objoid = c.oid AND dsc.classoid = 'pg_catalog.pg_class'::regclass AND dsc.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
  AND NOT (n.nspname = ANY ($2::text[]))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
