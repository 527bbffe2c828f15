#!/usr/bin/env bash
# The C engine (kinest-run) against PyTorch (tools/kinest predict) on a few
# real clips with the committed random-init weights: imports the test
# split's "normal" Bandai takes from ../shared/data (KINEST_DATA overrides),
# runs tools/kinest-run/compare.py over them, which prints both metric
# tables and their ratios and fails when one is off by more than 1 %.
# The whole test split: docs/engine.md, "Engine against PyTorch".
set -euo pipefail
kinest_run=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${KINEST_DATA:-$repo/../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$repo/tools/kinest" data build --data "$data" --out "$tmp/data" --only 'dataset-2_*_normal_010' \
    >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log"
    exit 1
fi
"$repo/tools/kinest-run/compare.py" --kinest-run "$kinest_run" \
    --weights "$repo/tests/data/golden/random/kinest.safetensors" --data "$tmp/data" --work "$tmp/work"
# The feet that stand (the random export has a contact head), both sides.
"$repo/tools/kinest-run/compare.py" --kinest-run "$kinest_run" --feet \
    --weights "$repo/tests/data/golden/random/kinest.safetensors" --data "$tmp/data" --work "$tmp/work-feet"
