#!/usr/bin/env bash
# Installs what driftcheck's demo and tests need, only when it is missing:
#   - PostgreSQL server binaries (initdb, pg_ctl, postgres) from the distribution
#   - a Python virtualenv at .venv with alembic (the cross-check and the demo)
#     and moto[server] (a local AWS Secrets Manager emulator for tests), and
#     pre-commit (the hook test)
#   - man and groff (the man page test), @action-validator/cli in .ci/node (the
#     workflow and action.yml schema test; needs npm)
# Safe to run repeatedly. Prints where things are.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

find_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
  done
  return 1
}

if ! find_pg_bin >/dev/null; then
  log "PostgreSQL server binaries not found; installing with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # postgresql-common would create and start a default cluster; we only want the binaries.
  mkdir -p /etc/postgresql-common
  if [ ! -f /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
    echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
  fi
  apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
fi
PG_BIN=$(find_pg_bin)
log "PostgreSQL binaries: $PG_BIN"
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
command -v runuser >/dev/null || { log "runuser is missing (util-linux)"; exit 1; }

VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  log "creating Python virtualenv $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import alembic, sqlalchemy, psycopg2, moto, pre_commit' 2>/dev/null \
   || [ ! -x "$VENV/bin/moto_server" ]; then
  log "installing alembic, sqlalchemy, psycopg2-binary, moto[server], pre-commit into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    'alembic>=1.13,<2' 'sqlalchemy>=2,<3' 'psycopg2-binary>=2.9' 'moto[server]>=5,<6' 'pre-commit>=4,<5'
fi
log "python: $VENV/bin/python ($("$VENV/bin/python" -c 'import alembic; print("alembic", alembic.__version__)'))"

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
  log "man or groff not found; installing man-db and groff-base with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends man-db groff-base >/dev/null
fi
VALIDATOR=.ci/node/node_modules/.bin/action-validator
if [ ! -x "$VALIDATOR" ]; then
  command -v npm >/dev/null || { log "npm is missing (needed for @action-validator/cli)"; exit 1; }
  log "installing @action-validator/cli into .ci/node"
  npm install --prefix .ci/node --no-audit --no-fund --silent '@action-validator/cli@^0.6' >/dev/null
fi
log "action-validator: $VALIDATOR"
