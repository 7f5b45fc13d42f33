#!/usr/bin/env python3
"""Write the raw-floor script: driftcheck's own catalog queries, in driftcheck's
order and transaction, with their parameters substituted, for `psql -f`.

    floor_sql.py SQL_DIR OUT_FILE

Fails when SQL_DIR holds a query this list does not know, so the floor can
never silently read less than driftcheck does.
"""

import os
import sys

# The order of src/database/introspect.rs; the value is what $1 / $2 become.
FILTER = "user_schemas.sql"
EMPTY = "'{}'"  # the files cast it: '{}'::text[] = no schema filter
QUERIES = [
    ("session.sql", None),
    ("empty_search_path.sql", None),
    ("visibility.sql", [EMPTY, EMPTY, "'alembic_version'", "NULL"]),
    ("version_table.sql", ["'alembic_version'", "NULL", "'{public}'"]),
    # Not a file: introspect reads the version table's rows once it is found.
    (None, 'SELECT v.version_num::pg_catalog.text COLLATE pg_catalog."C" FROM ONLY "public"."alembic_version" AS v ORDER BY 1'),
    ("pin_search_path.sql", None),
    ("schemas.sql", [EMPTY, EMPTY]),
    ("tables.sql", [EMPTY, EMPTY]),
    ("columns.sql", [EMPTY, EMPTY]),
    ("constraints.sql", [EMPTY, EMPTY]),
    ("indexes.sql", [EMPTY, EMPTY]),
    ("sequences.sql", [EMPTY, EMPTY]),
    ("views.sql", [EMPTY, EMPTY]),
    ("enums.sql", [EMPTY, EMPTY]),
    ("domains.sql", [EMPTY, EMPTY]),
    ("functions.sql", [EMPTY, EMPTY]),
    ("triggers.sql", [EMPTY, EMPTY]),
    ("extensions.sql", [EMPTY, EMPTY]),
    ("policies.sql", [EMPTY, EMPTY]),
    ("types.sql", [EMPTY, EMPTY]),
    ("rules.sql", [EMPTY, EMPTY]),
    ("event_triggers.sql", [EMPTY, EMPTY]),
    ("comments.sql", [EMPTY, EMPTY]),
]


def substitute(sql, params):
    # Highest number first so that $1 never eats the start of $10.
    for number in range(len(params or []), 0, -1):
        sql = sql.replace("$%d" % number, params[number - 1])
    return sql


def main():
    sql_dir, out = sys.argv[1], sys.argv[2]
    # The schema filter every kind query ends with (introspect.rs appends it).
    known = {name for name, _ in QUERIES if name} | {FILTER}
    unknown = sorted(f for f in os.listdir(sql_dir) if f.endswith(".sql") and f not in known)
    if unknown:
        sys.exit("floor_sql.py: %s: queries not in the floor list: %s (add them to bench/floor_sql.py)"
                 % (sql_dir, ", ".join(unknown)))
    # driftcheck's session settings that change how queries run (connect.rs).
    parts = ["SET jit = off;", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"]
    for name, params in QUERIES:
        if name is None:
            parts.append("%s;" % params)
            continue
        with open(os.path.join(sql_dir, name)) as f:
            text = f.read()
        if FILTER + " follows" in text:
            with open(os.path.join(sql_dir, FILTER)) as f:
                text = text.rstrip() + "\n" + f.read()
        sql = substitute(text, params).rstrip().rstrip(";")
        parts.append("-- %s\n%s;" % (name, sql))
    parts.append("COMMIT;")
    with open(out, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
