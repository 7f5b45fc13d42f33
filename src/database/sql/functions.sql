-- Functions, procedures, aggregates and window functions.
-- pg_get_functiondef rejects aggregates, so they keep only their identity. The
-- constructors PostgreSQL makes for a range type belong to the type.
-- $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       p.proname::pg_catalog.text,
       pg_catalog.pg_get_function_identity_arguments(p.oid),
       CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'f' THEN 'function' WHEN p.prokind OPERATOR(pg_catalog.=) 'p' THEN 'procedure'
            WHEN p.prokind OPERATOR(pg_catalog.=) 'a' THEN 'aggregate' WHEN p.prokind OPERATOR(pg_catalog.=) 'w' THEN 'window'
            ELSE p.prokind::pg_catalog.text END,
       pg_catalog.pg_get_function_result(p.oid),
       l.lanname::pg_catalog.text,
       CASE WHEN p.prokind OPERATOR(pg_catalog.<>) 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END,
       pg_catalog.pg_get_userbyid(p.proowner)::pg_catalog.text,
       p.proacl::pg_catalog.text
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass AND d.deptype OPERATOR(pg_catalog.=) 'i')
