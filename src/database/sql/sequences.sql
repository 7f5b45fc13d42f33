-- Sequences, with the column that owns them (serial, identity, OWNED BY).
-- $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       c.relname::pg_catalog.text,
       pg_catalog.format_type(s.seqtypid, NULL),
       s.seqstart,
       s.seqincrement,
       s.seqmin,
       s.seqmax,
       s.seqcycle,
       (SELECT tn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) tc.relname
               OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) ta.attname
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_class tc ON tc.oid OPERATOR(pg_catalog.=) d.refobjid
        JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) tc.relnamespace
        JOIN pg_catalog.pg_attribute ta
          ON ta.attrelid OPERATOR(pg_catalog.=) d.refobjid AND ta.attnum OPERATOR(pg_catalog.=) d.refobjsubid
        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
          AND d.objid OPERATOR(pg_catalog.=) c.oid
          AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
          AND d.refobjsubid OPERATOR(pg_catalog.>) 0
          AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog."char"[])
        LIMIT 1),
       pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text,
       c.relacl::pg_catalog.text,
       s.seqcache
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
