-- What the connecting role cannot see. The catalogs list every object whatever
-- the role's privileges; what needs privileges is resolving names inside a
-- schema (USAGE: the version table lookup through search_path skips schemas
-- without it) and reading the version table's rows (SELECT).
-- $1 include schemas, $2 exclude schemas, $3 version table name, $4 its schema
-- (NULL: the default search_path's schemas, "$user" and public).
SELECT CURRENT_USER::pg_catalog.text,
       ARRAY(SELECT n.nspname::pg_catalog.text
             FROM pg_catalog.pg_namespace n
             WHERE NOT pg_catalog.has_schema_privilege(n.oid, 'USAGE')
    AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema,pg_toast}'::pg_catalog.name[])
    AND n.nspname OPERATOR(pg_catalog.!~~) 'pg\_temp\_%'
    AND n.nspname OPERATOR(pg_catalog.!~~) 'pg\_toast\_temp\_%'
    AND (pg_catalog.cardinality($1::pg_catalog.text[]) OPERATOR(pg_catalog.=) 0
         OR n.nspname OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[]))
    AND NOT (n.nspname OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.text[]))
             ORDER BY 1),
       ARRAY(SELECT n.nspname::pg_catalog.text OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) c.relname::pg_catalog.text
             FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
             WHERE c.relname OPERATOR(pg_catalog.=) $3::pg_catalog.text
               AND CASE WHEN $4::pg_catalog.text IS NULL
                        THEN n.nspname OPERATOR(pg_catalog.=) ANY (ARRAY['public', CURRENT_USER::pg_catalog.text])
                        ELSE n.nspname OPERATOR(pg_catalog.=) $4::pg_catalog.text END
               AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,f}'::pg_catalog."char"[])
               AND NOT (pg_catalog.has_schema_privilege(n.oid, 'USAGE')
                        AND pg_catalog.has_table_privilege(c.oid, 'SELECT'))
             ORDER BY 1)
