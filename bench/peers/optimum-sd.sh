#!/usr/bin/env bash
# Sets up the images peer in .cache/peers/optimum-sd: Optimum's ONNX Runtime Stable Diffusion pipeline
# (ORTStableDiffusionPipeline from optimum-onnx, in the fixtures' pinned env: nothing new to install) served by
# bench/peers/optimum_sd_server.py, on the tiny-random-sd folder Quiver embeds (linked from the models sources, so
# both sides read the same files). Then a smoke step starts the server once, asks for one image over HTTP and
# checks it is a PNG of the size asked for. Exit != 0 with the reason in .cache/peers/optimum-sd/FAILED if it can't.
#   SMOKE=0 bench/peers/optimum-sd.sh   # skip the smoke step     SMOKE_PORT (default 18391)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/.cache/peers/optimum-sd"
MODEL="$ROOT/models/src/main/resources/fixtures/tiny-random-sd"
SERVER="$ROOT/bench/peers/optimum_sd_server.py"
mkdir -p "$OUT"; rm -f "$OUT/FAILED"
fail() { echo "optimum-sd peer: $*" >&2; echo "$*" >"$OUT/FAILED"; exit 1; }

PY="$("$ROOT/models/fixtures/python-env.sh" 2>"$OUT/python-env.log" | tail -1)" \
  || fail "models/fixtures/python-env.sh failed: $(tail -2 "$OUT/python-env.log" | tr '\n' ' ')"
[ -x "$PY" ] || fail "models/fixtures/python-env.sh printed no python"
"$PY" - >"$OUT/versions.txt" 2>"$OUT/import.log" <<'PY' || fail "the fixtures' env cannot import Optimum's SD pipeline: $(tail -1 "$OUT/import.log")"
from importlib.metadata import version
from optimum.onnxruntime import ORTStableDiffusionPipeline  # noqa: F401 (the class the server loads)
import PIL  # noqa: F401 (PNG encoding)
for p in ("optimum-onnx", "onnxruntime", "diffusers", "pillow"):
    print(p, version(p))
PY
[ -f "$MODEL/model_index.json" ] || fail "the tiny-random-sd fixture is missing at models/src/main/resources/fixtures"
ln -sfn "$MODEL" "$OUT/tiny-random-sd"
# The command the bench starts: the env's interpreter on the server script, exec'd so the pid is the server's.
printf '#!/usr/bin/env bash\nexec %q %q "$@"\n' "$PY" "$SERVER" >"$OUT/serve"
chmod +x "$OUT/serve"

if [ "${SMOKE:-1}" != "0" ]; then
  PORT="${SMOKE_PORT:-18391}"
  "$OUT/serve" --model "$OUT/tiny-random-sd" --port "$PORT" --threads 2 >"$OUT/smoke.log" 2>&1 &
  PID=$!
  trap 'kill "$PID" 2>/dev/null || true' EXIT
  "$PY" - "$PORT" "$PID" >>"$OUT/smoke.log" 2>&1 <<'PY' || fail "smoke step: $(tail -1 "$OUT/smoke.log")"
import base64, json, os, struct, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
deadline = time.time() + 300
while True:
    try:
        urllib.request.urlopen(base + "/health", timeout=5).read()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("the server gave no /health answer within 300 s")
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit("the server exited before answering")
        time.sleep(0.2)
body = json.dumps(dict(model="tiny-random-sd", prompt="a red fox", n=1, size="64x64", num_inference_steps=25,
                       guidance_scale=7.5, response_format="b64_json")).encode()
t0 = time.perf_counter()
reply = json.load(urllib.request.urlopen(urllib.request.Request(
    base + "/v1/images/generations", body, {"Content-Type": "application/json"}), timeout=120))
png = base64.b64decode(reply["data"][0]["b64_json"])
if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
    sys.exit("the answer is not a PNG")
width, height = struct.unpack(">II", png[16:24])
if (width, height) != (64, 64) or len(reply["data"]) != 1:
    sys.exit(f"asked one 64x64 image, got {len(reply['data'])} of {width}x{height}")
print(f"smoke: one {width}x{height} PNG ({len(png)} bytes) in {(time.perf_counter() - t0) * 1000:.0f} ms")
PY
  tail -1 "$OUT/smoke.log"
fi
echo "optimum-sd: $OUT/serve, model $MODEL ($(tr '\n' ' ' <"$OUT/versions.txt"))"
