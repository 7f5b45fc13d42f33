-- Event triggers. They belong to the database, not to a schema: they are
-- filtered by the schema of the function they run.
-- $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT e.evtname::pg_catalog.text,
       n.nspname::pg_catalog.text,
       e.evtevent::pg_catalog.text,
       ARRAY(SELECT tag FROM pg_catalog.unnest(e.evttags) AS tag ORDER BY 1)::pg_catalog.text[],
       n.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) p.proname,
       e.evtenabled::pg_catalog.text,
       pg_catalog.pg_get_userbyid(e.evtowner)::pg_catalog.text
FROM pg_catalog.pg_event_trigger e
JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) e.evtfoid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_event_trigger'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) e.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
