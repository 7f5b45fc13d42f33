-- Indexes of tables and materialised views. $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       c.relname::pg_catalog.text,
       ic.relname::pg_catalog.text,
       pg_catalog.pg_get_indexdef(i.indexrelid),
       i.indisunique,
       i.indisprimary,
       con.conname::pg_catalog.text,
       -- Per key column only where some are expressions; plain names are read
       -- from the definition (database/key_columns.rs).
       CASE WHEN i.indexprs IS NOT NULL
            THEN ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.n, true)
                       FROM pg_catalog.generate_series(1, i.indnkeyatts::pg_catalog.int4) AS k(n)
                       ORDER BY k.n) END
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
LEFT JOIN pg_catalog.pg_constraint con
       ON con.conindid OPERATOR(pg_catalog.=) i.indexrelid AND con.conrelid OPERATOR(pg_catalog.=) i.indrelid
      AND con.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}'::pg_catalog."char"[])
WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,m}'::pg_catalog."char"[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
