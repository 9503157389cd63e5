#!/usr/bin/env bash
# Writes the random-weight R1-Distill-Qwen-1.5B-shaped folder the cold-start bench loads (several GB, minutes; once:
# a folder that carries .complete with this script's hash is left as it is).
#
#   bench/shapes/make-r1-shapes.sh [fp32,fp16,q4]     # default all three
#
# QUIVER_R1_SHAPE_DIR  the folder (default: <repo>/.cache/models/r1-distill-qwen-1.5b-shape, ignored by git)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${QUIVER_R1_SHAPE_DIR:-$repo/.cache/models/r1-distill-qwen-1.5b-shape}
dtypes=${1:-fp32,fp16,q4}
key=$( (cat "$here/r1_shapes.py" "$repo/models/fixtures/chat/exports.py"; echo "$dtypes") | sha256sum | cut -d' ' -f1)
if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$key" ]; then
  echo "make-r1-shapes.sh: $out is complete"
  exit 0
fi
python=$("$repo/models/fixtures/python-env.sh")
rm -rf "$out"
"$python" "$here/r1_shapes.py" "$out" "$dtypes"
echo "$key" > "$out/.complete"
echo "make-r1-shapes.sh: wrote $out"
