-- Transaction-local (is_local = true). With an empty search_path nothing a
-- database holds outside pg_catalog can be picked by name resolution.
SELECT pg_catalog.set_config('search_path', '', true)
