-- COMMENT ON text of every compared object other than tables and columns
-- (tables.sql and columns.sql read those), keyed like the diff's items.
-- $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT o.kind,
       o.object,
       n.nspname::pg_catalog.text,
       dsc.description
FROM (
    SELECT 'schema' AS kind, s.nspname::pg_catalog.text AS object, s.oid AS nsp,
           'pg_catalog.pg_namespace'::pg_catalog.regclass AS classid, s.oid AS objid
    FROM pg_catalog.pg_namespace s
    UNION ALL
    SELECT 'extension', x.extname::pg_catalog.text, x.extnamespace,
           'pg_catalog.pg_extension'::pg_catalog.regclass, x.oid
    FROM pg_catalog.pg_extension x
    UNION ALL
    SELECT CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'v' THEN 'view'
                WHEN c.relkind OPERATOR(pg_catalog.=) 'm' THEN 'materialized_view'
                WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 'sequence' ELSE 'index' END,
           cn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) c.relname, c.relnamespace,
           'pg_catalog.pg_class'::pg_catalog.regclass, c.oid
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m,S,i,I}'::pg_catalog."char"[])
    UNION ALL
    SELECT CASE WHEN t.typtype OPERATOR(pg_catalog.=) 'e' THEN 'enum'
                WHEN t.typtype OPERATOR(pg_catalog.=) 'd' THEN 'domain'
                WHEN t.typtype OPERATOR(pg_catalog.=) 'c' THEN 'composite_type'
                WHEN t.typtype OPERATOR(pg_catalog.=) 'r' THEN 'range_type' ELSE 'base_type' END,
           tn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) t.typname, t.typnamespace,
           'pg_catalog.pg_type'::pg_catalog.regclass, t.oid
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.typnamespace
    WHERE t.typtype OPERATOR(pg_catalog.=) ANY ('{e,d,c,r,b}'::pg_catalog."char"[])
    UNION ALL
    SELECT 'function',
           pn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) p.proname OPERATOR(pg_catalog.||) '('
           OPERATOR(pg_catalog.||) pg_catalog.pg_get_function_identity_arguments(p.oid) OPERATOR(pg_catalog.||) ')',
           p.pronamespace, 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace
    UNION ALL
    SELECT 'constraint',
           kn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) kc.relname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) k.conname,
           kc.relnamespace, 'pg_catalog.pg_constraint'::pg_catalog.regclass, k.oid
    FROM pg_catalog.pg_constraint k
    JOIN pg_catalog.pg_class kc ON kc.oid OPERATOR(pg_catalog.=) k.conrelid
    JOIN pg_catalog.pg_namespace kn ON kn.oid OPERATOR(pg_catalog.=) kc.relnamespace
    UNION ALL
    SELECT 'trigger',
           gn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) gc.relname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) g.tgname,
           gc.relnamespace, 'pg_catalog.pg_trigger'::pg_catalog.regclass, g.oid
    FROM pg_catalog.pg_trigger g
    JOIN pg_catalog.pg_class gc ON gc.oid OPERATOR(pg_catalog.=) g.tgrelid
    JOIN pg_catalog.pg_namespace gn ON gn.oid OPERATOR(pg_catalog.=) gc.relnamespace
    WHERE NOT g.tgisinternal
    UNION ALL
    SELECT 'policy',
           yn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) yc.relname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) y.polname,
           yc.relnamespace, 'pg_catalog.pg_policy'::pg_catalog.regclass, y.oid
    FROM pg_catalog.pg_policy y
    JOIN pg_catalog.pg_class yc ON yc.oid OPERATOR(pg_catalog.=) y.polrelid
    JOIN pg_catalog.pg_namespace yn ON yn.oid OPERATOR(pg_catalog.=) yc.relnamespace
    UNION ALL
    SELECT 'rule',
           wn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) wc.relname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) w.rulename,
           wc.relnamespace, 'pg_catalog.pg_rewrite'::pg_catalog.regclass, w.oid
    FROM pg_catalog.pg_rewrite w
    JOIN pg_catalog.pg_class wc ON wc.oid OPERATOR(pg_catalog.=) w.ev_class
    JOIN pg_catalog.pg_namespace wn ON wn.oid OPERATOR(pg_catalog.=) wc.relnamespace
    WHERE w.rulename OPERATOR(pg_catalog.<>) '_RETURN'
    UNION ALL
    SELECT 'event_trigger', v.evtname::pg_catalog.text, vp.pronamespace,
           'pg_catalog.pg_event_trigger'::pg_catalog.regclass, v.oid
    FROM pg_catalog.pg_event_trigger v
    JOIN pg_catalog.pg_proc vp ON vp.oid OPERATOR(pg_catalog.=) v.evtfoid
) o
JOIN pg_catalog.pg_description dsc
  ON dsc.classoid OPERATOR(pg_catalog.=) o.classid
 AND dsc.objoid OPERATOR(pg_catalog.=) o.objid
 AND dsc.objsubid OPERATOR(pg_catalog.=) 0
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.nsp
WHERE TRUE
