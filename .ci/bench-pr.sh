#!/usr/bin/env bash
# Benchmarks two checkouts of the project (a pull request's base and its head) with the same
# arguments, alternating base, head, base, head, ... so that a machine that drifts during the job
# slows both sides alike. Each run writes OUT/<side>-<round>.json (and its report beside it), the
# files `benchmark-ingest compare --baseline OUT/base-*.json --current OUT/head-*.json` reads.
# Usage: .ci/bench-pr.sh BASE_DIR HEAD_DIR OUT_DIR ROUNDS -- BENCH_ARGS...
set -euo pipefail
if [ "$#" -lt 5 ] || [ "$5" != "--" ]; then
  echo "usage: $0 BASE_DIR HEAD_DIR OUT_DIR ROUNDS -- BENCH_ARGS..." >&2
  exit 2
fi
base=$1 head=$2 out=$3 rounds=$4
shift 5
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for side in base head; do
    if [ "$side" = base ]; then dir=$base; else dir=$head; fi
    echo "round $round of $rounds: $side ($dir)"
    node "$dir/bin/benchmark-ingest.mjs" "$@" --output "$out/$side-$round.json"
  done
done
