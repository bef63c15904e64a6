#!/usr/bin/env bash
# Flake hunt: runs `cargo test --workspace` (the SQLite half of the README's test command) N times in a row (default 20) while a second copy
# of the suite runs beside it in a loop, doubling the load on the machine. Every run of both
# copies must pass; the first failure stops the hunt and prints that run's output.
#
#   bench/flake-hunt.sh [RUNS]
#
# Prints one line per run and a summary; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
work=$(mktemp -d)
trap 'touch "$work/stop"; wait 2>/dev/null; rm -rf "$work"' EXIT

cargo test --workspace --locked --no-run -q 2>/dev/null

# The twin: the same suite, again and again, until the hunt ends.
(
  n=0
  while [ ! -e "$work/stop" ]; do
    n=$((n + 1))
    if ! cargo test --workspace --locked -q >"$work/twin.log" 2>&1; then
      cp "$work/twin.log" "$work/twin-failed-$n.log"
    fi
    echo "$n" >"$work/twin-runs"
  done
) &

started=$(date +%s)
for i in $(seq 1 "$runs"); do
  t0=$(date +%s)
  if ! cargo test --workspace --locked -q >"$work/run.log" 2>&1; then
    echo "run $i/$runs: FAILED"
    grep -E "^test .* FAILED|panicked|^failures:" "$work/run.log" || true
    tail -n 60 "$work/run.log"
    exit 1
  fi
  tests=$(grep -oE "[0-9]+ passed" "$work/run.log" | awk '{s += $1} END {print s}')
  echo "run $i/$runs: passed ($tests tests) in $(($(date +%s) - t0)) s"
done
touch "$work/stop"
wait
twin_runs=$(cat "$work/twin-runs" 2>/dev/null || echo 0)
twin_failures=$(find "$work" -name 'twin-failed-*.log' | wc -l)
echo "summary: $runs/$runs runs passed in $(($(date +%s) - started)) s; the twin ran $twin_runs times beside them, $twin_failures failed"
for f in "$work"/twin-failed-*.log; do
  [ -e "$f" ] || continue
  echo "twin failure ($f):"
  grep -E "^test .* FAILED|panicked" "$f" || tail -n 40 "$f"
done
[ "$twin_failures" -eq 0 ]
