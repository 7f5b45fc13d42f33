#!/usr/bin/env bash
# One-command demo: recreate the RIS-052 incident on a throwaway PostgreSQL and
# let driftcheck diagnose it.
#
#   1. installs what is missing (PostgreSQL server, Python venv with alembic)
#   2. builds driftcheck
#   3. starts a throwaway cluster (Unix socket in a temp dir, stopped on exit)
#   4. migrates a database with real Alembic to 20251230_1643 (the merge),
#      applies 20251230_1700's columns by hand, and stamps the version table with
#      the merge's old hash id 394c8c3cbf42 — exactly the state RIS-052 found
#   5. runs `driftcheck --skip-production --create-ris` and shows the markdown
#      report and the incident draft
#
# Exit status: 0 when driftcheck diagnosed the drift (its exit code 1), else
# driftcheck's own code.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/setup.sh
echo "demo: building driftcheck with cargo build (a first build compiles ~350 crates: several minutes on 2 cores; cargo lists them below)" >&2
cargo build --locked --bin driftcheck
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/driftcheck
echo "demo: built $BIN" >&2

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
WORK=$(mktemp -d /tmp/driftcheck-demo.XXXXXX)
chown postgres: "$WORK"
as_postgres() { runuser -u postgres -- "$@"; }
cleanup() {
  as_postgres "$PG_BIN/pg_ctl" -D "$WORK/data" stop -m fast >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "demo: starting a throwaway PostgreSQL in $WORK" >&2
as_postgres "$PG_BIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
  -o "-c listen_addresses='' -k $WORK" start >/dev/null
psql_do() { as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -d credentialmate "$@"; }
as_postgres "$PG_BIN/createdb" -h "$WORK" credentialmate

PROJECT=migrations-fixtures/credentialmate
echo "demo: alembic upgrade 20251230_1643 (the merge, created as 394c8c3cbf42)" >&2
DATABASE_URL="postgresql+psycopg2://postgres@/credentialmate?host=$WORK" \
  .venv/bin/alembic -c "$PROJECT/alembic.ini" upgrade 20251230_1643 2>&1 | sed 's/^/  alembic: /' >&2

echo "demo: applying 20251230_1700 by hand and stamping the old id, as in RIS-052" >&2
psql_do <<'SQL'
ALTER TABLE users
  ADD COLUMN email_bounced boolean NOT NULL DEFAULT false,
  ADD COLUMN email_complaint boolean NOT NULL DEFAULT false,
  ADD COLUMN email_issue_detected_at timestamp with time zone;
UPDATE alembic_version SET version_num = '394c8c3cbf42';
SQL

REPORT=$ROOT/drift-reports/demo-$(date -u +%Y%m%dT%H%M%SZ).md
RIS_DIR=$ROOT/drift-reports/ris
mkdir -p "$RIS_DIR"
echo "demo: driftcheck --skip-production --create-ris" >&2
echo >&2
status=0
"$BIN" --skip-production \
  --local-url "postgresql://postgres@/credentialmate?host=$WORK" \
  --migrations "$PROJECT/versions" \
  --report "$REPORT" \
  --create-ris --ris-dir "$RIS_DIR" || status=$?
echo
echo "================ markdown report: ${REPORT#$ROOT/} ================"
cat "$REPORT"
DRAFT=$(ls -t "$RIS_DIR"/ris-*.md 2>/dev/null | head -n 1)
if [ -n "$DRAFT" ]; then
  echo
  echo "================ incident draft: ${DRAFT#$ROOT/} (first 60 lines) ================"
  head -n 60 "$DRAFT"
fi
if [ "$status" -eq 1 ]; then
  echo "demo: driftcheck found the RIS-052 drift (exit 1), as expected" >&2
  exit 0
fi
echo "demo: driftcheck exited $status, expected 1 (drift found)" >&2
exit "$status"
