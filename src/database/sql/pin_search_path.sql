-- Transaction-local (is_local = true): nothing outlives the snapshot transaction.
-- Only for printing: definitions name objects in public without a schema, the
-- same in every environment. Every query after it qualifies each function,
-- operator and type with pg_catalog, so public is never searched for them.
SELECT pg_catalog.set_config('search_path', 'public', true)
