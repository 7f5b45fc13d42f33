#!/usr/bin/env bash
# Side-by-side benchmark: driftcheck against the raw catalog-read floor, migra and
# pg_dump+diff, on generated schemas with planted drifts. See bench/README.md.
#
#   bench/run.sh [--sizes 100,1000,5000,10000] [--runs N] [--seed S]
#   bench/run.sh --smoke      # CI: N=50, one run each; fails if driftcheck misses
#                             # a planted drift or reports anything unattributed
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/bench

SIZES=100,1000,5000,10000
RUNS=
SEED=7
SMOKE=0
usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) SIZES=${2:?--sizes needs a value, e.g. 100,1000}; shift 2 ;;
    --sizes=*) SIZES=${1#*=}; shift ;;
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    --seed) SEED=${2:?--seed needs a number}; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$SMOKE" = 1 ]; then SIZES=50; RUNS=1; fi
case $RUNS in ''|*[!0-9]*) [ -z "$RUNS" ] || { echo "bench/run.sh: --runs must be a positive number, got '$RUNS'" >&2; exit 2; } ;; esac

log() { printf 'bench: %s\n' "$*" >&2; }
loud() { printf '\n#### bench: %s\n\n' "$*" >&2; }

# ---------------------------------------------------------------- installs
export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_install() {
  [ "$apt_updated" = 1 ] || { apt-get update -qq; apt_updated=1; }
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v hyperfine >/dev/null || { log "installing hyperfine"; apt_install hyperfine; }
[ -x /usr/bin/time ] || { log "installing time"; apt_install time; }
command -v python3 >/dev/null || { log "installing python3"; apt_install python3 python3-venv; }
bash scripts/setup.sh
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PSQL=$PG_BIN/psql
PG_DUMP=$PG_BIN/pg_dump

# migra is unmaintained: these pins are the last combination that works
# (SQLAlchemy 2 and setuptools >= 81 without pkg_resources break it).
VENV=$BENCH/.venv
MIGRA=
migra_install() {
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || return 1
  "$VENV/bin/python" -c 'import migra, psycopg2' 2>/dev/null && return 0
  log "installing migra into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    'migra==3.0.1663481299' 'schemainspect==3.1.1663587362' 'sqlbag==0.1.1617247075' \
    'sqlalchemy==1.4.54' 'psycopg2-binary==2.9.13' 'setuptools<81'
}
if migra_install && "$VENV/bin/migra" --help >/dev/null 2>&1; then
  MIGRA=$VENV/bin/migra
elif [ "$SMOKE" = 1 ]; then
  loud "migra could not be installed: SKIPPING the migra row (driftcheck is still checked)"
else
  echo "bench/run.sh: migra could not be installed into $VENV" >&2; exit 1
fi

log "building driftcheck (release)"
cargo build --release --locked --quiet
DRIFTCHECK=${CARGO_TARGET_DIR:-$ROOT/target}/release/driftcheck

# The full check when this tree has it (probed on the first database), else two
# concurrent `driftcheck snapshot` processes as a stand-in for reading both.
DC_MODE=
# ---------------------------------------------------------------- clusters
WORK=$(mktemp -d /tmp/driftcheck-bench-XXXXXX)
chown postgres: "$WORK"
chmod 755 "$WORK"
as_postgres() { runuser -u postgres -- "$@"; }
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for c in local prod; do
    if [ -f "$WORK/$c/data/postmaster.pid" ]; then
      as_postgres "$PG_BIN/pg_ctl" -D "$WORK/$c/data" stop -m immediate -w >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_cluster() {
  local dir=$WORK/$1
  as_postgres mkdir -p "$dir"
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
  # Durability off only speeds up loading; reads are unaffected. The generated
  # schema is loaded in one transaction, which needs a larger lock table.
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_locks_per_transaction=4096" \
    start >/dev/null
}
log "starting two throwaway clusters under $WORK"
start_cluster local
start_cluster prod
LOCAL_HOST=$WORK/local
PROD_HOST=$WORK/prod
sql_as_postgres() { as_postgres "$PSQL" -X -q -v ON_ERROR_STOP=1 "$@"; }

# ---------------------------------------------------------------- results
STAMP=$(date -u +%Y-%m-%d)
HOST=$(hostname -s 2>/dev/null || hostname)
# Everything is written under $WORK and copied to bench/results only when the run
# completes, so an interrupted run leaves no partial results behind.
OUT=$WORK/results
FINAL=$BENCH/results/$STAMP-$HOST
mkdir -p "$OUT"
python3 "$BENCH/floor_sql.py" "$ROOT/src/database/sql" "$WORK/floor.sql"
[ -f "$BENCH/graph.sh" ] && GRAPH=$BENCH/graph.sh || GRAPH=

# Every tool of one N is timed by measure.py in alternating rounds (floor,
# catalog, driftcheck, migra, pg_dump, then again), each run with its peak RSS.
cd "$WORK"  # no driftcheck.toml or alembic.ini up the tree
IFS=, read -r -a SIZE_LIST <<<"$SIZES"
for N in "${SIZE_LIST[@]}"; do
  case $N in ''|*[!0-9]*) echo "bench/run.sh: --sizes must be numbers, got '$N'" >&2; exit 2 ;; esac
  runs=${RUNS:-5}
  GEN=$WORK/n$N
  log "N=$N: generating (seed $SEED)"
  python3 "$BENCH/generate.py" --tables "$N" --seed "$SEED" --out "$GEN"
  chmod -R a+rX "$GEN"
  cp "$GEN/manifest.json" "$OUT/n$N-manifest.json"
  DB=bench_$N
  log "N=$N: loading $(grep -c '^CREATE TABLE' "$GEN/schema.sql") tables into both clusters"
  for h in "$LOCAL_HOST" "$PROD_HOST"; do
    sql_as_postgres -h "$h" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  done
  sql_as_postgres -h "$LOCAL_HOST" -d "$DB" -1 -f "$GEN/schema.sql" &
  load_local=$!
  sql_as_postgres -h "$PROD_HOST" -d "$DB" -1 -f "$GEN/schema.sql"
  wait "$load_local"
  sql_as_postgres -h "$PROD_HOST" -d "$DB" -1 -f "$GEN/drift.sql"
  for h in "$LOCAL_HOST" "$PROD_HOST"; do
    sql_as_postgres -h "$h" -d "$DB" -c "VACUUM ANALYZE" >/dev/null
  done

  LURL="postgresql://postgres@/$DB?host=$LOCAL_HOST"
  PURL="postgresql://postgres@/$DB?host=$PROD_HOST"
  PSQL_READ="$PSQL -X -q -A -t -U postgres -d $DB -f $WORK/floor.sql"

  FLOOR_CMD="$PSQL_READ -h $LOCAL_HOST >/dev/null & $PSQL_READ -h $PROD_HOST >/dev/null; wait"
  CATALOG_READ="$PSQL -X -q -A -t -U postgres -d $DB -f $BENCH/catalog.sql"
  CATALOG_CMD="$CATALOG_READ -h $LOCAL_HOST >/dev/null & $CATALOG_READ -h $PROD_HOST >/dev/null; wait"
  DC_CMD="$DRIFTCHECK --local-url $LURL --prod-url $PURL --migrations $GEN/versions --no-report --format json"
  if [ -z "$DC_MODE" ]; then
    probe=$($DC_CMD 2>/dev/null || true)
    if [[ $probe == *'"schema_diff"'* ]]; then DC_MODE=check; else
      DC_MODE=snapshots
      loud "this driftcheck has no full check yet: timing two 'driftcheck snapshot' processes instead, detection not scored"
    fi
  fi
  if [ "$DC_MODE" = check ]; then
    DC_TIMED="$DC_CMD >/dev/null"
    $DC_CMD >"$OUT/n$N-driftcheck.out" 2>"$OUT/n$N-driftcheck.err" || true
  else
    DC_TIMED="$DRIFTCHECK snapshot --url '$LURL' -o - >/dev/null 2>&1 & $DRIFTCHECK snapshot --url '$PURL' -o - >/dev/null 2>&1; wait"
    echo "stand-in: the full check is not on main yet" >"$OUT/n$N-driftcheck.out"
  fi
  DUMP="$PG_DUMP --schema-only -U postgres -d $DB"
  TOOLS=(floor="$FLOOR_CMD" catalog="$CATALOG_CMD" driftcheck="$DC_TIMED")
  [ -n "$MIGRA" ] && TOOLS+=(migra="$MIGRA --unsafe '$LURL' '$PURL' >/dev/null 2>&1")
  TOOLS+=(pgdump_diff="$DUMP -h $LOCAL_HOST -f $WORK/local.sql & $DUMP -h $PROD_HOST -f $WORK/prod.sql; wait; diff -u $WORK/local.sql $WORK/prod.sql >/dev/null")
  # migra takes a minute a run at N=10,000: fewer rounds there (its run count is in the table).
  SLOW=()
  [ "$N" -ge 10000 ] && SLOW=(--rounds-of migra=1)
  log "N=$N: $runs alternating rounds of floor, catalog, driftcheck${MIGRA:+, migra}, pg_dump+diff"
  python3 "$BENCH/measure.py" --rounds "$runs" --warmup "$([ "$SMOKE" = 1 ] && echo 0 || echo 1)" \
    --out-dir "$OUT" --prefix "n$N" "${SLOW[@]}" "${TOOLS[@]}"
  if [ -n "$MIGRA" ]; then
    "$MIGRA" --unsafe "$LURL" "$PURL" >"$OUT/n$N-migra.out" 2>"$OUT/n$N-migra.err" || true
  fi
  # Scored without context lines: each hunk is one change (score.py finds the
  # statement it belongs to in the local dump).
  diff -U0 "$WORK/local.sql" "$WORK/prod.sql" >"$OUT/n$N-pgdump_diff.out" || true

  for tool in driftcheck migra pgdump_diff; do
    [ -f "$OUT/n$N-$tool.out" ] || continue
    python3 "$BENCH/score.py" --manifest "$GEN/manifest.json" --tool "$tool" \
      --output "$OUT/n$N-$tool.out" --old-dump "$WORK/local.sql" >"$OUT/n$N-$tool.score.json"
  done

  sql_as_postgres -h "$LOCAL_HOST" -d postgres -c "DROP DATABASE $DB"
  sql_as_postgres -h "$PROD_HOST" -d postgres -c "DROP DATABASE $DB"
done

# The revision-graph row: bench/graph.sh (driftcheck graph vs alembic heads on a
# generated 10,000-revision project) when this tree has it; not in --smoke.
GRAPH_NOTE=
if [ -z "$GRAPH" ]; then
  GRAPH_NOTE="revision graph: bench/graph.sh is not in this tree; row skipped"
elif [ "$SMOKE" = 1 ]; then
  GRAPH_NOTE="revision graph: skipped in --smoke"
else
  log "revision graph (bench/graph.sh)"
  if bash "$GRAPH" >"$OUT/graph.txt" 2>&1; then
    GRAPH_NOTE="revision graph (bench/graph.sh, 10,000 revisions, driftcheck graph vs alembic heads): $(grep -E '^(median|min):' "$OUT/graph.txt" | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
  else
    GRAPH_NOTE="revision graph: bench/graph.sh FAILED (see ${FINAL#$ROOT/}/graph.txt)"
    loud "$GRAPH_NOTE"
  fi
fi

# ---------------------------------------------------------------- report
REPORT_ARGS=(--results "$OUT" --sizes "$SIZES" --driftcheck-mode "$DC_MODE"
  --pg-version "$("$PG_BIN/postgres" --version)"
  --driftcheck-sha "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo '+dirty')"
  --command "bench/run.sh $([ "$SMOKE" = 1 ] && echo --smoke || echo "--sizes $SIZES${RUNS:+ --runs $RUNS} --seed $SEED")")
[ -n "$MIGRA" ] && REPORT_ARGS+=(--migra-version "$("$VENV/bin/pip" show migra 2>/dev/null | sed -n 's/^Version: //p')")
REPORT_ARGS+=(--note "$GRAPH_NOTE")
[ -z "$MIGRA" ] && REPORT_ARGS+=(--note "migra: install failed; row skipped")
status=0
python3 "$BENCH/report.py" "${REPORT_ARGS[@]}" --markdown "$OUT.md" $([ "$SMOKE" = 1 ] && echo --strict) || status=$?
cat "$OUT.md"
if [ "$SMOKE" != 1 ]; then
  mkdir -p "$BENCH/results"
  rm -rf "$FINAL" "$FINAL.md"
  cp -r "$OUT" "$FINAL"
  cp "$OUT.md" "$FINAL.md"
  log "results: ${FINAL#$ROOT/}.md (raw hyperfine JSON and tool outputs in ${FINAL#$ROOT/}/)"
fi
exit "$status"
