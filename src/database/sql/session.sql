-- One row describing the server and the moment of the snapshot.
SELECT current_setting('server_version'),
       current_database()::text,
       to_char(transaction_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
