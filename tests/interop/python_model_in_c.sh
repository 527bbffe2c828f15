#!/usr/bin/env bash
# The C model step agrees with PyTorch's `step` on small configurations the
# default export does not cover (tests/interop/small_models.py).
set -euo pipefail
test_model_cpu=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t dirs < <(/usr/bin/python3 "$here/small_models.py" "$tmp")
[ "${#dirs[@]}" -ge 3 ] || { echo "small_models.py wrote ${#dirs[@]} cases"; exit 1; }
"$test_model_cpu" "${dirs[@]}"
