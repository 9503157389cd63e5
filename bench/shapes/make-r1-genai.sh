#!/usr/bin/env bash
# onnxruntime-genai's model-builder export of the random-weight R1-Distill-Qwen-1.5B shape: the layout Microsoft
# publishes for the R1 distills (genai_config.json, GroupQueryAttention, packed QKV, fused norms), int4 (symmetric,
# block 32, int8 activations in the 4-bit products: accuracy level 4) for the CPU, as SmolLM2's builder export is
# made (models/fixtures/real/smollm2.py). The weights are make-r1-shapes.sh's (the same config and seed, rebuilt by
# r1_gguf.py into a float16 transformers folder, as make-r1-gguf.sh does for llama.cpp), so the builder graph, the
# Optimum graphs and the GGUFs hold one model. Minutes and ~8 GB of memory, once: a folder that carries .complete
# with this script's hash is left as it is.
#
#   bench/shapes/make-r1-genai.sh      # writes <shape folder>-genai
#
# QUIVER_R1_SHAPE_DIR  the Optimum folder the export sits beside (default <repo>/.cache/models/r1-distill-qwen-1.5b-shape;
#                      not needed itself: the weights are rebuilt from the seed)
# QUIVER_R1_GENAI_DIR  the export (default: the shape folder's name + -genai, beside it)
# TMPDIR               where the transformers folder goes for the export (3.6 GB)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shape=${QUIVER_R1_SHAPE_DIR:-$repo/.cache/models/r1-distill-qwen-1.5b-shape}
out=${QUIVER_R1_GENAI_DIR:-$shape-genai}
fixture=$repo/models/src/main/resources/fixtures/tiny-random-deepseek-r1
# The script's commands, the model's definition and the pinned environment (the builder's version among it).
key=$( (grep -v '^ *#' "$0"; cat "$here/r1_gguf.py" "$here/r1_shapes.py" "$repo/models/fixtures/chat/exports.py";
        grep -v '^#' "$repo/models/fixtures/requirements.txt") | sha256sum | cut -d' ' -f1)
if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$key" ]; then
  echo "make-r1-genai.sh: $out is complete"
  exit 0
fi
python=$("$repo/models/fixtures/python-env.sh")
work=$(mktemp -d "${TMPDIR:-/tmp}/r1-shape-genai.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
nice -n 19 "$python" "$here/r1_gguf.py" hf "$work/hf"
echo "make-r1-genai.sh: transformers folder in $((SECONDS - t0)) s"
nice -n 19 "$python" -m onnxruntime_genai.models.builder -i "$work/hf" -o "$work/genai" -p int4 -e cpu \
  -c "$work/builder-cache" --extra_options int4_accuracy_level=4 int4_block_size=32 hf_token=false \
  >"$work/builder.log" 2>&1 || { tail -20 "$work/builder.log" >&2; echo "make-r1-genai.sh: the builder failed" >&2; exit 1; }
# The builder re-saves the tokenizer through transformers, which adds a BOS in the post-processor that DeepSeek's
# template writes itself; keep the fixture's files, as the Optimum folder has them.
for f in tokenizer.json tokenizer_config.json LICENSE-tokenizer; do
  cp "$fixture/$f" "$work/genai/$f"
done
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$work/genai" "$out"
echo "$key" > "$out/.complete"
echo "make-r1-genai.sh: wrote $out in $((SECONDS - t0)) s"
ls -la "$out"
