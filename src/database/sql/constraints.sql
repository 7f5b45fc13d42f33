-- Table constraints. $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       c.relname::pg_catalog.text,
       con.conname::pg_catalog.text,
       CASE WHEN con.contype OPERATOR(pg_catalog.=) 'p' THEN 'primary_key'
            WHEN con.contype OPERATOR(pg_catalog.=) 'u' THEN 'unique'
            WHEN con.contype OPERATOR(pg_catalog.=) 'c' THEN 'check'
            WHEN con.contype OPERATOR(pg_catalog.=) 'f' THEN 'foreign_key'
            WHEN con.contype OPERATOR(pg_catalog.=) 'x' THEN 'exclusion'
            WHEN con.contype OPERATOR(pg_catalog.=) 't' THEN 'trigger'
            ELSE con.contype::pg_catalog.text END,
       pg_catalog.pg_get_constraintdef(con.oid),
       -- Primary, unique and foreign keys list plain names in their definition:
       -- read there (database/key_columns.rs), not joined again per row.
       CASE WHEN con.contype OPERATOR(pg_catalog.<>) ALL ('{p,u,f}'::pg_catalog."char"[])
            THEN ARRAY(SELECT a.attname::pg_catalog.text
                       FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                       JOIN pg_catalog.pg_attribute a
                         ON a.attrelid OPERATOR(pg_catalog.=) con.conrelid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                       ORDER BY k.ord) END,
       CASE WHEN con.contype OPERATOR(pg_catalog.=) 'f'
            THEN fn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) fc.relname END
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
LEFT JOIN pg_catalog.pg_class fc ON fc.oid OPERATOR(pg_catalog.=) con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid OPERATOR(pg_catalog.=) fc.relnamespace
WHERE con.conrelid OPERATOR(pg_catalog.<>) 0
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
