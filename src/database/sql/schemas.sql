-- $1 include schemas (empty = all), $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       pg_catalog.pg_get_userbyid(n.nspowner)::pg_catalog.text,
       n.nspacl::pg_catalog.text
FROM pg_catalog.pg_namespace n
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) n.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
