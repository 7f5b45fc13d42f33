-- Functions, procedures, aggregates and window functions.
-- pg_get_functiondef rejects aggregates: theirs is written from pg_aggregate,
-- the options pg_dump's CREATE AGGREGATE shows (defaults left out). The
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
       CASE WHEN p.prokind OPERATOR(pg_catalog.<>) 'a' THEN pg_catalog.pg_get_functiondef(p.oid)
       ELSE 'CREATE AGGREGATE ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'
            OPERATOR(pg_catalog.||) pg_catalog.quote_ident(p.proname) OPERATOR(pg_catalog.||) '('
            OPERATOR(pg_catalog.||) pg_catalog.pg_get_function_identity_arguments(p.oid) OPERATOR(pg_catalog.||) ') ('
            OPERATOR(pg_catalog.||) pg_catalog.concat_ws(', ',
               'SFUNC = ' OPERATOR(pg_catalog.||) a.aggtransfn::pg_catalog.text,
               'STYPE = ' OPERATOR(pg_catalog.||) pg_catalog.format_type(a.aggtranstype, NULL),
               CASE WHEN a.aggtransspace OPERATOR(pg_catalog.<>) 0 THEN 'SSPACE = ' OPERATOR(pg_catalog.||) a.aggtransspace::pg_catalog.text END,
               CASE WHEN a.aggfinalfn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'FINALFUNC = ' OPERATOR(pg_catalog.||) a.aggfinalfn::pg_catalog.text END,
               CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
               CASE WHEN a.aggfinalfn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'FINALFUNC_MODIFY = ' OPERATOR(pg_catalog.||)
                         CASE WHEN a.aggfinalmodify OPERATOR(pg_catalog.=) 'r' THEN 'READ_ONLY' WHEN a.aggfinalmodify OPERATOR(pg_catalog.=) 's' THEN 'SHAREABLE'
                              ELSE 'READ_WRITE' END END,
               CASE WHEN a.aggcombinefn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'COMBINEFUNC = ' OPERATOR(pg_catalog.||) a.aggcombinefn::pg_catalog.text END,
               CASE WHEN a.aggserialfn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'SERIALFUNC = ' OPERATOR(pg_catalog.||) a.aggserialfn::pg_catalog.text END,
               CASE WHEN a.aggdeserialfn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'DESERIALFUNC = ' OPERATOR(pg_catalog.||) a.aggdeserialfn::pg_catalog.text END,
               'INITCOND = ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal(a.agginitval),
               CASE WHEN a.aggmtransfn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'MSFUNC = ' OPERATOR(pg_catalog.||) a.aggmtransfn::pg_catalog.text END,
               CASE WHEN a.aggminvtransfn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'MINVFUNC = ' OPERATOR(pg_catalog.||) a.aggminvtransfn::pg_catalog.text END,
               CASE WHEN a.aggmtranstype OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'MSTYPE = ' OPERATOR(pg_catalog.||) pg_catalog.format_type(a.aggmtranstype, NULL) END,
               CASE WHEN a.aggmtransspace OPERATOR(pg_catalog.<>) 0 THEN 'MSSPACE = ' OPERATOR(pg_catalog.||) a.aggmtransspace::pg_catalog.text END,
               CASE WHEN a.aggmfinalfn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'MFINALFUNC = ' OPERATOR(pg_catalog.||) a.aggmfinalfn::pg_catalog.text END,
               CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
               CASE WHEN a.aggmfinalfn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'MFINALFUNC_MODIFY = ' OPERATOR(pg_catalog.||)
                         CASE WHEN a.aggmfinalmodify OPERATOR(pg_catalog.=) 'r' THEN 'READ_ONLY' WHEN a.aggmfinalmodify OPERATOR(pg_catalog.=) 's' THEN 'SHAREABLE'
                              ELSE 'READ_WRITE' END END,
               'MINITCOND = ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal(a.aggminitval),
               CASE WHEN a.aggsortop OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
                    THEN 'SORTOP = ' OPERATOR(pg_catalog.||) a.aggsortop::pg_catalog.regoperator::pg_catalog.text END,
               CASE WHEN a.aggkind OPERATOR(pg_catalog.=) 'h' THEN 'HYPOTHETICAL' END,
               CASE WHEN p.proparallel OPERATOR(pg_catalog.=) 's' THEN 'PARALLEL = SAFE'
                    WHEN p.proparallel OPERATOR(pg_catalog.=) 'r' THEN 'PARALLEL = RESTRICTED' END)
            OPERATOR(pg_catalog.||) ')' END,
       pg_catalog.pg_get_userbyid(p.proowner)::pg_catalog.text,
       p.proacl::pg_catalog.text
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid::pg_catalog.oid OPERATOR(pg_catalog.=) p.oid
WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass AND d.deptype OPERATOR(pg_catalog.=) 'i')
