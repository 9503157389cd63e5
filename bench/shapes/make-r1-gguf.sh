#!/usr/bin/env bash
# GGUFs of the random-weight R1-Distill-Qwen-1.5B shape, for llama-server beside Quiver in the cold-start bench:
# the same weights as the ONNX graphs of make-r1-shapes.sh (same config and seed, checked tensor by tensor against
# the ONNX graph), converted by llama.cpp's own convert_hf_to_gguf.py and llama-quantize, both from the
# llama-cpp-python sdist that bench/peers/llama-server.sh builds. Minutes, once: a folder that carries .complete
# with this script's hash is left as it is.
#
#   bench/shapes/make-r1-gguf.sh      # writes <shape folder>-gguf/r1-distill-qwen-1.5b-shape.{F16,Q4_1,Q4_0}.gguf
#
# F16 is the twin of model_fp16.onnx; Q4_1 (quantised from F16 by llama-quantize's defaults: the output matrix in
# Q6_K, everything else in Q4_1) sits beside model_q4.onnx; Q4_0 (every matrix in Q4_0, --pure, as the model
# builder's int4 export holds every one, lm_head included, in symmetric blocks of 32) beside make-r1-genai.sh's
# builder export. There is no F32
# GGUF (it would be 7 GB more on disk; model.onnx has no llama.cpp twin). Steps, so that at most one copy of the
# weights is on disk beside the GGUF: the model rebuilt and saved as a float16 transformers folder in a temporary
# folder, converted to F16, the folder deleted, then quantised.
#
# QUIVER_R1_SHAPE_DIR  the ONNX folder (default <repo>/.cache/models/r1-distill-qwen-1.5b-shape; made first if absent)
# QUIVER_R1_GGUF_DIR   the GGUFs' folder (default: the ONNX folder's name + -gguf, beside it: inside, Quiver would
#                      count them among the model's files)
# QUIVER_PEERS_DIR     where llama.cpp is built (default <repo>/.cache/peers; built first if absent)
# TMPDIR               where the transformers folder goes for the conversion (3.6 GB)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shape=${QUIVER_R1_SHAPE_DIR:-$repo/.cache/models/r1-distill-qwen-1.5b-shape}
peers=${QUIVER_PEERS_DIR:-$repo/.cache/peers}
llama=$peers/llama.cpp
out=${QUIVER_R1_GGUF_DIR:-$shape-gguf}
name=r1-distill-qwen-1.5b-shape

[ -f "$shape/.complete" ] || QUIVER_R1_SHAPE_DIR=$shape "$here/make-r1-shapes.sh"
if [ ! -x "$llama/build/bin/llama-quantize" ] || [ ! -f "$llama/src/vendor/llama.cpp/convert_hf_to_gguf.py" ]; then
  QUIVER_PEERS_DIR=$peers "$repo/bench/peers/llama-server.sh" --build-only
fi
src=$llama/src/vendor/llama.cpp
# The ONNX folder's own key too (new ONNX weights mean new GGUFs), and the llama.cpp sources' version.
# The script's commands, not its comments.
key=$( (grep -v '^ *#' "$0"; cat "$here/r1_gguf.py" "$shape/.complete"; grep -m1 '^Version:' "$llama/src/PKG-INFO") \
  | sha256sum | cut -d' ' -f1)
if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$key" ]; then
  echo "make-r1-gguf.sh: $out is complete"
  exit 0
fi
python=$("$repo/models/fixtures/python-env.sh")
rm -rf "$out"
mkdir -p "$out"
hf=$(mktemp -d "${TMPDIR:-/tmp}/r1-shape-hf.XXXXXX")
trap 'rm -rf "$hf"' EXIT
t0=$SECONDS
nice -n 19 "$python" "$here/r1_gguf.py" hf "$hf"
echo "make-r1-gguf.sh: transformers folder in $((SECONDS - t0)) s"
# gguf-py from the same sources as the converter: no PyPI package, and the two always agree.
# Its tokenizer check must know the pre-tokenizer (it stops with "BPE pre-tokenizer was not recognized" if not);
# the R1 fixture's tokenizer, DeepSeek-V3/R1's own, is "deepseek-v3" (the check below prints it).
PYTHONPATH="$src/gguf-py${PYTHONPATH:+:$PYTHONPATH}" nice -n 19 "$python" "$src/convert_hf_to_gguf.py" "$hf" \
  --outtype f16 --outfile "$out/$name.F16.gguf" >"$out/convert.log" 2>&1 \
  || { tail -20 "$out/convert.log" >&2; echo "make-r1-gguf.sh: convert_hf_to_gguf.py failed (see $out/convert.log)" >&2; exit 1; }
rm -rf "$hf"
echo "make-r1-gguf.sh: F16 GGUF after $((SECONDS - t0)) s"
PYTHONPATH="$src/gguf-py${PYTHONPATH:+:$PYTHONPATH}" nice -n 19 "$python" "$here/r1_gguf.py" check "$out/$name.F16.gguf" "$shape/onnx"
for t in Q4_1 Q4_0; do
  pure=$([ "$t" = Q4_0 ] && echo --pure || true)
  nice -n 19 "$llama/build/bin/llama-quantize" $pure "$out/$name.F16.gguf" "$out/$name.$t.gguf" "$t" "${JOBS:-2}" \
    >"$out/quantize-$t.log" 2>&1 || { echo "make-r1-gguf.sh: llama-quantize to $t failed (see $out/quantize-$t.log)" >&2; exit 1; }
  echo "make-r1-gguf.sh: $t after $((SECONDS - t0)) s"
done
echo "$key" > "$out/.complete"
ls -la "$out"
