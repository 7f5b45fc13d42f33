-- One row describing the server and the moment of the snapshot, and the
-- schemas the role's own search_path resolves names in (pg_catalog and
-- pg_temp included, in search order): the version table is looked up in
-- them, as Alembic would, after the search_path has been emptied.
SELECT pg_catalog.current_setting('server_version'),
       pg_catalog.current_database()::pg_catalog.text,
       pg_catalog.to_char(pg_catalog.timezone('UTC', pg_catalog.transaction_timestamp()),
                          'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       pg_catalog.current_schemas(true)::pg_catalog.text[]
