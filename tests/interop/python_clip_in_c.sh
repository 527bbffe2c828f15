#!/usr/bin/env bash
# The two implementations of docs/formats.md agree: a clip written by the
# Python importer is read and validated by the C reader (kinest-clip).
set -euo pipefail
kinest_clip=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
data=${KINEST_DATA:-$repo/../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$repo/tools/kinest" data build --data "$data" --out "$tmp" --only dataset-2_walk_normal_010 >/dev/null
clip=$(find "$tmp" -name '*.kclip')
[ -n "$clip" ] || { echo "importer wrote no clip"; exit 1; }
info=$("$kinest_clip" info "$clip" --frames 0)
echo "$info"
# 479 frames at 60 Hz, truth present, all three devices tracked throughout.
grep -q '^frames        479 ' <<<"$info"
grep -q 'devices + truth joints' <<<"$info"
[ "$(grep -c 'valid in 100.0% of frames' <<<"$info")" -eq 3 ]
