#!/usr/bin/env bash
# Fuzz the parsers of untrusted input with cargo-fuzz (libFuzzer): migration
# files, upgrade() evidence, alembic.ini, driftcheck.toml, saved snapshots,
# secret payloads, connection URLs. Targets and results: docs/reliability.md
# ("Fuzzing"); the targets are in fuzz/ (a cargo workspace of its own).
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   # default: 600 s, every target
#
# Runs the targets one after the other, each starting from its seeds
# (fuzz/seeds/TARGET, and migrations-fixtures/ for Python and alembic.ini) and
# the corpus of earlier runs (fuzz/corpus/TARGET, not in git). A panic, a hang
# over 10 s or more than 2 GiB of memory is a crash: the input lands in
# fuzz/artifacts/TARGET/. Prints one line per target (executions, seconds,
# crashes; the whole output in fuzz/logs/TARGET.log) and exits 1 if any
# crashed. Needs the nightly toolchain (rustup).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "fuzz.sh: SECONDS_PER_TARGET must be a positive whole number, not ${seconds@Q}" >&2
  exit 2
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz.sh: needs the nightly toolchain: rustup toolchain install nightly" >&2
  exit 2
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# Release build with debug assertions (integer overflow panics), no sanitizer:
# Rust is memory safe, so this hunts panics, hangs and runaway memory.
flags=(-O -a -s none)
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
# Once for every target (a long build: the whole crate, instrumented); the
# runs below use these binaries, so the time measured is fuzzing only.
cargo +nightly fuzz build "${flags[@]}"
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin="${CARGO_TARGET_DIR:-fuzz/target}/$host/release"

# Seeds kept elsewhere in the repository (libFuzzer reads directories recursively).
extra_seeds() {
  case $1 in
    migration_file | evidence | alembic_ini) echo migrations-fixtures ;;
  esac
}

mkdir -p fuzz/logs
failed=0
printf '%-16s %12s %8s %8s\n' target executions seconds crashes
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  before=$(find "fuzz/artifacts/$target" -type f | wc -l)
  log="fuzz/logs/$target.log"
  start=$(date +%s)
  status=0
  seeds=()
  for dir in "fuzz/seeds/$target" $(extra_seeds "$target"); do
    if [[ -d $dir ]]; then seeds+=("$dir"); fi
  done
  "$bin/$target" "fuzz/corpus/$target" "${seeds[@]}" -artifact_prefix="fuzz/artifacts/$target/" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - start))
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  crashes=$(($(find "fuzz/artifacts/$target" -type f | wc -l) - before))
  if ((status != 0 && crashes == 0)); then
    crashes=1 # died without an artifact (a stack overflow is a bare SIGSEGV): see the log
  fi
  printf '%-16s %12s %8s %8s\n' "$target" "${executions:-?}" "$elapsed" "$crashes"
  if ((crashes > 0)); then
    failed=1
    echo "  see $log and fuzz/artifacts/$target/" >&2
  fi
done
exit "$failed"
