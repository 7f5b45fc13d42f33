-- Find the version table without raising when it is missing, and say what it
-- is before anything reads from it. $1 name, $2 schema (NULL: the first of
-- the schemas $3, the role's search order, that holds a relation so named).
SELECT n.nspname::pg_catalog.text,
       c.relname::pg_catalog.text,
       c.relkind::pg_catalog.text,
       (SELECT tn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) t.typname
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
        JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.typnamespace
        WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attname OPERATOR(pg_catalog.=) 'version_num' AND NOT a.attisdropped)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.=) $1::pg_catalog.text
  AND CASE WHEN $2::pg_catalog.text IS NULL THEN n.nspname OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.text[])
           ELSE n.nspname OPERATOR(pg_catalog.=) $2::pg_catalog.text END
ORDER BY pg_catalog.array_position($3::pg_catalog.text[], n.nspname::pg_catalog.text)
LIMIT 1
