-- Views and materialised views, a view's options (reloptions: check_option,
-- security_barrier, security_invoker) sorted. $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       c.relname::pg_catalog.text,
       c.relkind OPERATOR(pg_catalog.=) 'm',
       pg_catalog.pg_get_viewdef(c.oid, true),
       pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text,
       c.relacl::pg_catalog.text,
       CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'v'
            THEN ARRAY(SELECT o FROM pg_catalog.unnest(c.reloptions) o ORDER BY 1) END
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog."char"[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
