#!/usr/bin/env bash
# Benchmark `driftcheck graph` against `alembic heads` on a generated
# 10,000-revision project. Usage: bench/graph.sh [REVISIONS]
# Needs: a release build (built here), hyperfine (apt-get install -y hyperfine),
# the venv from scripts/setup.sh.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-10000}
python=${DRIFTCHECK_PYTHON:-$repo/.venv/bin/python}
alembic=$(dirname "$python")/alembic
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install -y hyperfine" >&2; exit 2; }
[ -x "$alembic" ] || { echo "$alembic missing: run scripts/setup.sh" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" "$repo/bench/generate_revisions.py" "$work/project" "$count"

cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
driftcheck=${CARGO_TARGET_DIR:-$repo/target}/release/driftcheck

# Both must see the same single head before we time them.
ours=$("$driftcheck" graph --alembic-ini "$work/project/alembic.ini" --format json |
  "$python" -c 'import json,sys; print(" ".join(json.load(sys.stdin)["heads"]))')
theirs=$("$alembic" -c "$work/project/alembic.ini" heads 2>/dev/null | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')
echo "driftcheck heads: $ours"
echo "alembic heads:    $theirs"
[ "$ours" = "$theirs" ] || { echo "heads disagree" >&2; exit 1; }

hyperfine --warmup 2 --min-runs 10 --export-json "$work/result.json" \
  -n "driftcheck graph" "$driftcheck graph --alembic-ini $work/project/alembic.ini --format json" \
  -n "alembic heads" "$alembic -c $work/project/alembic.ini heads"

"$python" - "$work/result.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ours, theirs = results["driftcheck graph"], results["alembic heads"]
# The median resists the noise of a shared machine better than the mean.
print(f"median: driftcheck graph {ours['median'] * 1000:.0f} ms, alembic heads {theirs['median'] * 1000:.0f} ms, "
      f"{theirs['median'] / ours['median']:.1f}x faster")
print(f"min:    driftcheck graph {ours['min'] * 1000:.0f} ms, alembic heads {theirs['min'] * 1000:.0f} ms, "
      f"{theirs['min'] / ours['min']:.1f}x faster")
PY
