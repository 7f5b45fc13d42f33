-- What the connecting role cannot see. The catalogs list every object whatever
-- the role's privileges; what needs privileges is resolving names inside a
-- schema (USAGE: the version table lookup through search_path skips schemas
-- without it) and reading the version table's rows (SELECT).
-- $1 include schemas, $2 exclude schemas, $3 version table name, $4 its schema
-- (NULL: the default search_path's schemas, "$user" and public).
SELECT current_user::text,
       ARRAY(SELECT n.nspname::text
             FROM pg_catalog.pg_namespace n
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND n.nspname NOT LIKE 'pg\_temp\_%'
               AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
               AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
               AND NOT (n.nspname = ANY ($2::text[]))
               AND NOT pg_catalog.has_schema_privilege(n.oid, 'USAGE')
             ORDER BY 1),
       ARRAY(SELECT n.nspname::text || '.' || c.relname::text
             FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relname = $3
               AND (n.nspname = $4::text
                    OR ($4::text IS NULL AND n.nspname IN ('public', current_user::text)))
               AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
               AND NOT (pg_catalog.has_schema_privilege(n.oid, 'USAGE')
                        AND pg_catalog.has_table_privilege(c.oid, 'SELECT'))
             ORDER BY 1)
