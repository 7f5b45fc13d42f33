-- Sequences, with the column that owns them (serial, identity, OWNED BY).
-- $1 include schemas, $2 exclude schemas.
SELECT n.nspname::text,
       c.relname::text,
       pg_catalog.format_type(s.seqtypid, NULL),
       s.seqstart,
       s.seqincrement,
       s.seqmin,
       s.seqmax,
       s.seqcycle,
       (SELECT tn.nspname || '.' || tc.relname || '.' || ta.attname
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
        JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
        JOIN pg_catalog.pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
        WHERE d.classid = 'pg_catalog.pg_class'::regclass
          AND d.objid = c.oid
          AND d.refclassid = 'pg_catalog.pg_class'::regclass
          AND d.refobjsubid > 0
          AND d.deptype IN ('a', 'i')
        LIMIT 1),
       pg_catalog.pg_get_userbyid(c.relowner)::text,
       c.relacl::text
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))
  AND NOT (n.nspname = ANY ($2::text[]))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
