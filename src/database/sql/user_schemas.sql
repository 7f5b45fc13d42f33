  AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema,pg_toast}'::pg_catalog.name[])
  AND n.nspname OPERATOR(pg_catalog.!~~) 'pg\_temp\_%'
  AND n.nspname OPERATOR(pg_catalog.!~~) 'pg\_toast\_temp\_%'
  AND (pg_catalog.cardinality($1::pg_catalog.text[]) OPERATOR(pg_catalog.=) 0
       OR n.nspname OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[]))
  AND NOT (n.nspname OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.text[]))
