-- Ordinary, partitioned and foreign tables, with persistence, INHERITS parents,
-- storage parameters (the TOAST table's prefixed `toast.`) and replica identity.
-- $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       c.relname::pg_catalog.text,
       CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN 'partitioned_table'
            WHEN c.relkind OPERATOR(pg_catalog.=) 'f' THEN 'foreign_table' ELSE 'table' END,
       CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
       CASE WHEN c.relispartition THEN pn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) p.relname END,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,
       c.relrowsecurity,
       c.relforcerowsecurity,
       pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text,
       c.relacl::pg_catalog.text,
       dsc.description,
       c.relpersistence OPERATOR(pg_catalog.=) 'u',
       ARRAY(SELECT hn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) h.relname
             FROM pg_catalog.pg_inherits hi
             JOIN pg_catalog.pg_class h ON h.oid OPERATOR(pg_catalog.=) hi.inhparent
             JOIN pg_catalog.pg_namespace hn ON hn.oid OPERATOR(pg_catalog.=) h.relnamespace
             WHERE hi.inhrelid OPERATOR(pg_catalog.=) c.oid AND NOT c.relispartition
             ORDER BY hi.inhseqno),
       ARRAY(SELECT o.option FROM (
                 SELECT pg_catalog.unnest(c.reloptions) AS option
                 UNION ALL
                 SELECT 'toast.' OPERATOR(pg_catalog.||) pg_catalog.unnest(tc.reloptions)) o
             ORDER BY 1),
       CASE WHEN c.relreplident OPERATOR(pg_catalog.=) 'n' THEN 'nothing'
            WHEN c.relreplident OPERATOR(pg_catalog.=) 'f' THEN 'full'
            WHEN c.relreplident OPERATOR(pg_catalog.=) 'i' THEN 'index ' OPERATOR(pg_catalog.||)
                 (SELECT ri.relname FROM pg_catalog.pg_index rx
                  JOIN pg_catalog.pg_class ri ON ri.oid OPERATOR(pg_catalog.=) rx.indexrelid
                  WHERE rx.indrelid OPERATOR(pg_catalog.=) c.oid AND rx.indisreplident)::pg_catalog.text
       END
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid OPERATOR(pg_catalog.=) c.oid
LEFT JOIN pg_catalog.pg_class p ON p.oid OPERATOR(pg_catalog.=) i.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.relnamespace
LEFT JOIN pg_catalog.pg_class tc ON tc.oid OPERATOR(pg_catalog.=) c.reltoastrelid
LEFT JOIN pg_catalog.pg_description dsc
       ON dsc.objoid OPERATOR(pg_catalog.=) c.oid
      AND dsc.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      AND dsc.objsubid OPERATOR(pg_catalog.=) 0
WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,f}'::pg_catalog."char"[])
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
