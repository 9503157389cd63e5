#!/usr/bin/env bash
# Runs the image in a real OCI runtime (podman with runc) the way a Knative pod runs it: read-only root file
# system, a tmpfs at /tmp as the writable cache (QUIVER_CACHE_DIR=/tmp/quiver is the image's), the image's non-root
# user, a memory limit, PORT from the environment. Checks that it is ready and says so phase by phase, answers
# /v1/embeddings and a /v1/chat/completions stream, and drains an in-flight stream on `podman stop` (exit 0). Then
# measures ready time in the container against the bare process on the same JRE (SMOKE_RUNS rounds, taking turns).
# Podman's storage, containers and cgroups are its own (under runtime/target/image-smoke) and removed at the end.
# Needs root, podman and runc (apt-get install podman runc).
#   deployment/smoke-image.sh [runtime/target/quiver-image.oci.tar]
set -euo pipefail
cd "$(dirname "$0")/.."
ARCHIVE=${1:-runtime/target/quiver-image.oci.tar}
RUNS=${SMOKE_RUNS:-3}
[ -f "$ARCHIVE" ] || { echo "smoke-image.sh: no image archive $ARCHIVE (deployment/image-offline.sh makes it)"; exit 1; }
WORK=$(mkdir -p runtime/target/image-smoke && cd runtime/target/image-smoke && pwd)
CGROUP=quiver-smoke
source deployment/podman-env.sh
cleanup() {
  podman_cleanup
  [ -n "${BARE:-}" ] && kill "$BARE" 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup

IMAGE=$(pod_load "$ARCHIVE")
echo "== $IMAGE under podman $(podman --version | awk '{print $3}') with $(runc --version | head -1)"
PORT=$(free_port)
start=$(millis)
pod_run quiver-smoke "$PORT"
ready=$(await_ready "$PORT" "$start" pod container exists quiver-smoke) || { pod logs quiver-smoke; exit 1; }
echo "ready after $ready ms (podman run to /q/health/ready)"
PID=$(pod inspect -f '{{.State.Pid}}' quiver-smoke)
CID=$(pod inspect -f '{{.Id}}' quiver-smoke)
uid=$(awk '/^Uid:/ {print $2}' "/proc/$PID/status")
limit=$(cat /sys/fs/cgroup/memory/$CGROUP/libpod-"$CID"/memory.limit_in_bytes 2>/dev/null \
  || cat /sys/fs/cgroup/memory/$CGROUP/"$CID"/memory.limit_in_bytes)
[ "$uid" != 0 ] || { echo "FAIL: the server runs as root"; exit 1; }
[ "$limit" = $((3 * 1024 * 1024 * 1024)) ] || { echo "FAIL: memory limit is $limit"; exit 1; }
if pod exec quiver-smoke /bin/sh -c 'echo x > /probe' 2> /dev/null; then echo "FAIL: root file system writable"; exit 1; fi
pod exec quiver-smoke /bin/sh -c 'echo x > /tmp/probe' || { echo "FAIL: /tmp not writable"; exit 1; }
echo "user $uid, memory limit $limit bytes, root file system read-only, /tmp writable (tmpfs)"
pod logs quiver-smoke 2>&1 | grep -E "startup phase" || { echo "FAIL: no startup phase lines"; pod logs quiver-smoke; exit 1; }

curl -sf -H 'Content-Type: application/json' -d '{"model":"all-minilm-l6-v2","input":"from inside the container"}' \
  "http://127.0.0.1:$PORT/v1/embeddings" | python3 -c 'import json,sys; d=json.load(sys.stdin); n=len(d["data"][0]["embedding"]); assert n == 384, n; print("embedding of", n, "floats from", d["model"])'
chat() { # <max tokens>: a streamed chat completion, raw SSE on stdout
  curl -sfN -H 'Content-Type: application/json' "http://127.0.0.1:$PORT/v1/chat/completions" -d '{"model":"tiny-random-deepseek-r1",
    "messages":[{"role":"user","content":"Tell me a story"}],"stream":true,"max_tokens":'"$1"',"ignore_eos":true}'
}
check_stream() { # <file> <what>: ends with a finish chunk (length) and [DONE]
  python3 - "$1" "$2" <<'PY'
import json, sys
events = [l[6:].strip() for l in open(sys.argv[1]) if l.startswith("data: ")]
assert events and events[-1] == "[DONE]", f"{sys.argv[2]}: no [DONE]: {events[-3:]}"
finish = json.loads(events[-2])["choices"][0]["finish_reason"]
assert finish == "length", f"{sys.argv[2]}: finished with {finish}"
print(f"{sys.argv[2]}: {len(events) - 1} events, finish_reason {finish}, [DONE]")
PY
}
chat 16 > "$WORK/stream.txt"
check_stream "$WORK/stream.txt" "chat stream"

# Drain: a stream in flight when the runtime sends SIGTERM runs to its end, then the process exits 0.
chat 480 > "$WORK/drain.txt" &
STREAM=$!
for _ in $(seq 1 500); do grep -q '"content"' "$WORK/drain.txt" 2>/dev/null && break; sleep 0.01; done
grep -q '\[DONE\]' "$WORK/drain.txt" && { echo "FAIL: the stream ended before the stop"; exit 1; }
stopped=$(millis)
pod stop -t 60 quiver-smoke > /dev/null
wait "$STREAM"
check_stream "$WORK/drain.txt" "stream in flight at podman stop"
code=$(pod inspect -f '{{.State.ExitCode}}' quiver-smoke)
[ "$code" = 0 ] || { echo "FAIL: exit code $code after podman stop"; pod logs quiver-smoke; exit 1; }
pod logs quiver-smoke 2>&1 | grep -E "shutdown phase" || { echo "FAIL: no drain"; exit 1; }
echo "podman stop: drained and exited 0 after $(( $(millis) - stopped )) ms"
pod rm -f quiver-smoke > /dev/null

# Ready time, container against the bare process, both on the image's JRE and environment.
JRE=$PWD/runtime/target/image-offline/base-rootfs/opt/java/openjdk/bin/java
[ -x "$JRE" ] || JRE=java
APP=runtime/target/quarkus-app
container_ms=() bare_ms=()
for i in $(seq 1 "$RUNS"); do
  PORT=$(free_port) start=$(millis)
  pod_run "quiver-ready-$i" "$PORT"
  container_ms+=("$(await_ready "$PORT" "$start" pod container exists "quiver-ready-$i")")
  pod rm -f -t 30 "quiver-ready-$i" > /dev/null
  PORT=$(free_port) cache=$(mktemp -d) start=$(millis)
  (cd "$APP" && PORT=$PORT QUIVER_CACHE_DIR=$cache/quiver DJL_CACHE_DIR=$cache/djl QUIVER_CONCURRENCY_MAX=8 \
    exec "$JRE" -Djava.util.logging.manager=org.jboss.logmanager.LogManager --enable-native-access=ALL-UNNAMED \
    -jar quarkus-run.jar) > "$WORK/bare.log" 2>&1 &
  BARE=$!
  bare_ms+=("$(await_ready "$PORT" "$start" kill -0 "$BARE")")
  kill "$BARE"; wait "$BARE" || true; BARE=
  rm -rf "$cache"
done
echo "ready, $RUNS runs taking turns: container ${container_ms[*]} ms (median $(median "${container_ms[@]}")), bare process ${bare_ms[*]} ms (median $(median "${bare_ms[@]}"))"
