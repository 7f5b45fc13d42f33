-- Composite types (not the row types of tables), range types and base types.
-- Array and multirange types PostgreSQL creates beside them are left out.
-- $1 include schemas, $2 exclude schemas (user_schemas.sql follows).
SELECT n.nspname::pg_catalog.text,
       t.typname::pg_catalog.text,
       CASE WHEN t.typtype OPERATOR(pg_catalog.=) 'c' THEN 'composite'
            WHEN t.typtype OPERATOR(pg_catalog.=) 'r' THEN 'range' ELSE 'base' END,
       ARRAY(SELECT pg_catalog.quote_ident(a.attname) OPERATOR(pg_catalog.||) ' '
                    OPERATOR(pg_catalog.||) pg_catalog.format_type(a.atttypid, a.atttypmod)
                    OPERATOR(pg_catalog.||) CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) at.typcollation
                         THEN ' collate ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(co.collname) ELSE '' END
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_type at ON at.oid OPERATOR(pg_catalog.=) a.atttypid
             LEFT JOIN pg_catalog.pg_collation co ON co.oid OPERATOR(pg_catalog.=) a.attcollation
             WHERE t.typtype OPERATOR(pg_catalog.=) 'c' AND a.attrelid OPERATOR(pg_catalog.=) t.typrelid
               AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
             ORDER BY a.attnum),
       CASE WHEN t.typtype OPERATOR(pg_catalog.=) 'r' THEN
            (SELECT 'subtype = ' OPERATOR(pg_catalog.||) pg_catalog.format_type(r.rngsubtype, NULL)
                    OPERATOR(pg_catalog.||) CASE WHEN r.rngcollation OPERATOR(pg_catalog.<>) 0
                         THEN ', collation = ' OPERATOR(pg_catalog.||) (SELECT pg_catalog.quote_ident(rc.collname) FROM pg_catalog.pg_collation rc WHERE rc.oid OPERATOR(pg_catalog.=) r.rngcollation) ELSE '' END
                    OPERATOR(pg_catalog.||) ', subtype_opclass = ' OPERATOR(pg_catalog.||) (SELECT oc.opcname::pg_catalog.text FROM pg_catalog.pg_opclass oc WHERE oc.oid OPERATOR(pg_catalog.=) r.rngsubopc)
                    OPERATOR(pg_catalog.||) CASE WHEN r.rngcanonical OPERATOR(pg_catalog.<>) 0
                         THEN ', canonical = ' OPERATOR(pg_catalog.||) r.rngcanonical::pg_catalog.regproc::pg_catalog.text ELSE '' END
                    OPERATOR(pg_catalog.||) CASE WHEN r.rngsubdiff OPERATOR(pg_catalog.<>) 0
                         THEN ', subtype_diff = ' OPERATOR(pg_catalog.||) r.rngsubdiff::pg_catalog.regproc::pg_catalog.text ELSE '' END
             FROM pg_catalog.pg_range r WHERE r.rngtypid OPERATOR(pg_catalog.=) t.oid)
            WHEN t.typtype OPERATOR(pg_catalog.=) 'b' THEN
            'input = ' OPERATOR(pg_catalog.||) t.typinput::pg_catalog.regproc::pg_catalog.text
            OPERATOR(pg_catalog.||) ', output = ' OPERATOR(pg_catalog.||) t.typoutput::pg_catalog.regproc::pg_catalog.text
            OPERATOR(pg_catalog.||) CASE WHEN t.typreceive OPERATOR(pg_catalog.<>) 0 THEN ', receive = ' OPERATOR(pg_catalog.||) t.typreceive::pg_catalog.regproc::pg_catalog.text ELSE '' END
            OPERATOR(pg_catalog.||) CASE WHEN t.typsend OPERATOR(pg_catalog.<>) 0 THEN ', send = ' OPERATOR(pg_catalog.||) t.typsend::pg_catalog.regproc::pg_catalog.text ELSE '' END
            OPERATOR(pg_catalog.||) CASE WHEN t.typmodin OPERATOR(pg_catalog.<>) 0 THEN ', typmod_in = ' OPERATOR(pg_catalog.||) t.typmodin::pg_catalog.regproc::pg_catalog.text ELSE '' END
            OPERATOR(pg_catalog.||) CASE WHEN t.typmodout OPERATOR(pg_catalog.<>) 0 THEN ', typmod_out = ' OPERATOR(pg_catalog.||) t.typmodout::pg_catalog.regproc::pg_catalog.text ELSE '' END
            OPERATOR(pg_catalog.||) CASE WHEN t.typanalyze OPERATOR(pg_catalog.<>) 0 THEN ', analyze = ' OPERATOR(pg_catalog.||) t.typanalyze::pg_catalog.regproc::pg_catalog.text ELSE '' END
            OPERATOR(pg_catalog.||) ', internallength = ' OPERATOR(pg_catalog.||) CASE WHEN t.typlen OPERATOR(pg_catalog.<) 0 THEN 'variable' ELSE t.typlen::pg_catalog.text END
            OPERATOR(pg_catalog.||) CASE WHEN t.typbyval THEN ', passedbyvalue' ELSE '' END
            OPERATOR(pg_catalog.||) ', alignment = ' OPERATOR(pg_catalog.||) t.typalign::pg_catalog.text
            OPERATOR(pg_catalog.||) ', storage = ' OPERATOR(pg_catalog.||) t.typstorage::pg_catalog.text
            OPERATOR(pg_catalog.||) ', category = ' OPERATOR(pg_catalog.||) t.typcategory::pg_catalog.text
            OPERATOR(pg_catalog.||) CASE WHEN t.typispreferred THEN ', preferred' ELSE '' END
            OPERATOR(pg_catalog.||) ', delimiter = ' OPERATOR(pg_catalog.||) t.typdelim::pg_catalog.text
            OPERATOR(pg_catalog.||) CASE WHEN t.typelem OPERATOR(pg_catalog.<>) 0 THEN ', element = ' OPERATOR(pg_catalog.||) pg_catalog.format_type(t.typelem, NULL) ELSE '' END
            OPERATOR(pg_catalog.||) CASE WHEN t.typcollation OPERATOR(pg_catalog.<>) 0 THEN ', collatable' ELSE '' END
            OPERATOR(pg_catalog.||) CASE WHEN t.typdefault IS NOT NULL THEN ', default = ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal(t.typdefault) ELSE '' END
       END,
       pg_catalog.pg_get_userbyid(t.typowner)::pg_catalog.text
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
LEFT JOIN pg_catalog.pg_class tr ON tr.oid OPERATOR(pg_catalog.=) t.typrelid
WHERE (t.typtype OPERATOR(pg_catalog.=) ANY ('{r,b}'::pg_catalog."char"[])
       OR (t.typtype OPERATOR(pg_catalog.=) 'c' AND tr.relkind OPERATOR(pg_catalog.=) 'c'))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray OPERATOR(pg_catalog.=) t.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) t.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
