-- Transaction-local (is_local = true): nothing outlives the snapshot transaction.
SELECT pg_catalog.set_config('search_path', 'public', true)
