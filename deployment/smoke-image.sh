#!/usr/bin/env bash
# Runs an image built by Jib or docker build without a container runtime: unpacks the OCI archive (umoci) and
# starts its entrypoint in a chroot as the image's user, with the image's env and working directory; then checks
# /q/health/ready, one /v1/embeddings answer and a clean SIGTERM drain. Needs root, skopeo and umoci.
#   deployment/smoke-image.sh [runtime/target/quiver-image.oci.tar]
set -euo pipefail
cd "$(dirname "$0")/.."
ARCHIVE=${1:-runtime/target/quiver-image.oci.tar}
WORK=runtime/target/image-smoke
for m in proc sys; do
  umount "$WORK/bundle/rootfs/$m" 2>/dev/null || true
  if mountpoint -q "$WORK/bundle/rootfs/$m" 2>/dev/null; then echo "$WORK/bundle/rootfs/$m still mounted"; exit 1; fi
done
rm -rf "$WORK" && mkdir -p "$WORK"
skopeo copy -q "oci-archive:$ARCHIVE" "oci:$WORK/oci:smoke"
umoci unpack --image "$WORK/oci:smoke" "$WORK/bundle" > /dev/null
CONFIG=$WORK/bundle/config.json
PORT=${SMOKE_PORT:-18099}
ROOTFS=$WORK/bundle/rootfs
# What every container runtime provides: /proc, a read-only /sys (ONNX Runtime crashes without it), /dev nodes.
mkdir -p "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" && mount -t proc proc "$ROOTFS/proc" && mount -t sysfs -o ro sysfs "$ROOTFS/sys"
for d in "null 1 3" "zero 1 5" "random 1 8" "urandom 1 9"; do set -- $d; mknod -m 666 "$ROOTFS/dev/$1" c "$2" "$3"; done
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  for m in proc sys; do umount "$ROOTFS/$m" 2>/dev/null || umount -l "$ROOTFS/$m" 2>/dev/null || true; done
}
PID=
trap cleanup EXIT
start=$(date +%s%N)
# The image's process as its config says: chroot, user, working directory, env, args (no shell needed inside).
python3 - "$CONFIG" "$ROOTFS" "$PORT" > "$WORK/server.log" 2>&1 <<'PY' &
import json, os, sys
p = json.load(open(sys.argv[1]))["process"]
env = dict(e.split("=", 1) for e in p["env"])
env["PORT"] = sys.argv[3]
print("user", p["user"], "cwd", p["cwd"], "args", p["args"], flush=True)
os.chroot(sys.argv[2]); os.chdir(p["cwd"])
os.setgroups([]); os.setgid(p["user"]["gid"]); os.setuid(p["user"]["uid"])
path = next(d + "/" + p["args"][0] for d in env.get("PATH", "/usr/bin").split(":") if os.path.exists(d + "/" + p["args"][0]))
os.execve(path, p["args"], env)
PY
PID=$!
for _ in $(seq 1 600); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready" && break
  kill -0 $PID 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.05
done
echo "ready after $(( ($(date +%s%N) - start) / 1000000 )) ms"
curl -sf -H 'Content-Type: application/json' -d '{"input":"from inside the image"}' \
  "http://127.0.0.1:$PORT/v1/embeddings" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("embedding of", len(d["data"][0]["embedding"]), "floats from", d["model"])'
kill -TERM $PID; wait $PID && echo "exit 0 after SIGTERM"; PID=
head -1 "$WORK/server.log"
grep -E "startup phase|preloaded|shutdown phase|AOT|ERROR" "$WORK/server.log" || true
