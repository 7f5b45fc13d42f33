-- Rewrite rules (CREATE RULE), not the _RETURN rule that makes a view.
-- $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       c.relname::pg_catalog.text,
       r.rulename::pg_catalog.text,
       pg_catalog.pg_get_ruledef(r.oid),
       r.ev_enabled::pg_catalog.text
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.ev_class
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE r.rulename OPERATOR(pg_catalog.<>) '_RETURN'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
