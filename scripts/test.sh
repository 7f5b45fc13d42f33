#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing
# (PostgreSQL server binaries, the Python venv with alembic and moto), then runs
# formatting and lint checks, `cargo package` (crates.io metadata) and every
# test (unit, integration against real PostgreSQL clusters, the Alembic
# cross-check, the moto-backed secrets tests),
# then a smoke run of the benchmark kit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DRIFTCHECK_PYTHON="$PWD/.venv/bin/python"
export DRIFTCHECK_MOTO_SERVER="$PWD/.venv/bin/moto_server"
cargo fmt --all --check
cargo clippy --all-targets --locked -- -D warnings
# The crate packages for crates.io with complete metadata and no warning
# (--no-verify: no second compile).
package_log=$(cargo package --no-verify --locked --allow-dirty 2>&1) || { echo "$package_log" >&2; exit 1; }
if grep -q '^warning' <<<"$package_log"; then
  echo "$package_log" >&2; echo "test.sh: cargo package warns" >&2; exit 1
fi
cargo test --all-targets --locked
# The benchmark kit at N=50, once each, so it cannot rot: fails when driftcheck
# misses a planted drift or reports anything unattributed (bench/README.md).
bash bench/run.sh --smoke
# Leave nothing behind: the harness stops every server it starts.
if pgrep -f 'postgres .*-D /tmp/(dc-pg-|driftcheck-)' >/dev/null || pgrep -f moto_server >/dev/null; then
  echo "test.sh: a test left a postgres or moto_server process running" >&2
  ps -eo pid,user,args | grep -E 'postgres .*-D /tmp/(dc-pg-|driftcheck-)|[m]oto_server' >&2
  exit 1
fi
