-- Row-level security policies. $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       c.relname::pg_catalog.text,
       pol.polname::pg_catalog.text,
       CASE WHEN pol.polcmd OPERATOR(pg_catalog.=) '*' THEN 'ALL' WHEN pol.polcmd OPERATOR(pg_catalog.=) 'r' THEN 'SELECT'
            WHEN pol.polcmd OPERATOR(pg_catalog.=) 'a' THEN 'INSERT' WHEN pol.polcmd OPERATOR(pg_catalog.=) 'w' THEN 'UPDATE'
            WHEN pol.polcmd OPERATOR(pg_catalog.=) 'd' THEN 'DELETE' ELSE pol.polcmd::pg_catalog.text END,
       pol.polpermissive,
       CASE WHEN pol.polroles OPERATOR(pg_catalog.=) '{0}'::pg_catalog.oid[] THEN ARRAY['public']
            ELSE ARRAY(SELECT r.rolname::pg_catalog.text FROM pg_catalog.pg_roles r
                       WHERE r.oid OPERATOR(pg_catalog.=) ANY (pol.polroles) ORDER BY 1) END,
       pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),
       pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid)
FROM pg_catalog.pg_policy pol
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) pol.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
