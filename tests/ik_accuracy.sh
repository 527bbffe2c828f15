#!/usr/bin/env bash
# The analytic IK on real motion: imports a few held-out Bandai clips from
# ../shared/data (KINEST_DATA overrides), runs the IK + body over them in
# test_ik's "clip accuracy" case, which prints the MPJPE against the truth
# and fails above a loose bound.
set -euo pipefail
test_ik=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${KINEST_DATA:-$repo/../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Walk, run, turns, raised and waving hands: the test split's "normal" takes.
if ! "$repo/tools/kinest" data build --data "$data" --out "$tmp" --only 'dataset-2_*_normal_010' \
    >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log"
    exit 1
fi
clips=$(find "$tmp" -name '*.kclip' | sort | paste -sd: -)
[ -n "$clips" ] || { echo "importer wrote no clip"; exit 1; }
KINEST_IK_CLIPS=$clips CK_RUN_CASE="clip accuracy" "$test_ik"
