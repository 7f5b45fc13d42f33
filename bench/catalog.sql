-- A plain catalog read of the kinds driftcheck compares: what a hand-written
-- script would ask for (the definition functions, names, types), with none of
-- driftcheck's extras (extension-member filters, key column lists, comments,
-- visibility checks). bench/run.sh times it as the `catalog` row, so the
-- report can show what driftcheck's own SQL costs over the simplest read.
SET jit = off;  -- as driftcheck's session and the floor
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT n.nspname FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema';
SELECT c.relnamespace, c.relname, c.relkind, c.relpersistence, c.reloptions
  FROM pg_class c WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND c.relnamespace > 16383;
SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relnamespace > 16383 AND c.relkind IN ('r', 'p', 'f', 'v', 'm');
SELECT con.conrelid, con.conname, con.contype, pg_catalog.pg_get_constraintdef(con.oid)
  FROM pg_constraint con WHERE con.connamespace > 16383;
SELECT i.indrelid, pg_catalog.pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace > 16383;
SELECT s.seqrelid, s.seqstart, s.seqincrement FROM pg_sequence s;
SELECT c.oid, pg_catalog.pg_get_viewdef(c.oid) FROM pg_class c WHERE c.relkind IN ('v', 'm') AND c.relnamespace > 16383;
SELECT e.enumtypid, e.enumlabel FROM pg_enum e ORDER BY e.enumtypid, e.enumsortorder;
SELECT t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod) FROM pg_type t WHERE t.typtype = 'd' AND t.typnamespace > 16383;
SELECT p.oid, pg_catalog.pg_get_function_identity_arguments(p.oid), p.prosrc FROM pg_proc p WHERE p.pronamespace > 16383;
SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal;
SELECT x.extname, x.extversion FROM pg_extension x;
SELECT p.polname, pg_catalog.pg_get_expr(p.polqual, p.polrelid) FROM pg_policy p;
COMMIT;
