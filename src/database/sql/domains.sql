-- Domains with their check constraints (definitions, then names in the same order). $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       t.typname::pg_catalog.text,
       pg_catalog.format_type(t.typbasetype, t.typtypmod),
       t.typnotnull,
       pg_catalog.pg_get_expr(t.typdefaultbin, 0),
       ARRAY(SELECT pg_catalog.pg_get_constraintdef(con.oid) FROM pg_catalog.pg_constraint con
             WHERE con.contypid OPERATOR(pg_catalog.=) t.oid AND con.contype OPERATOR(pg_catalog.=) 'c' ORDER BY 1, con.conname),
       pg_catalog.pg_get_userbyid(t.typowner)::pg_catalog.text,
       ARRAY(SELECT con.conname::pg_catalog.text FROM pg_catalog.pg_constraint con
             WHERE con.contypid OPERATOR(pg_catalog.=) t.oid AND con.contype OPERATOR(pg_catalog.=) 'c'
             ORDER BY pg_catalog.pg_get_constraintdef(con.oid), con.conname)
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
WHERE t.typtype OPERATOR(pg_catalog.=) 'd'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) t.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
