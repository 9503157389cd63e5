# Sourced by smoke-image.sh and image-aot.sh: rootful podman with runc whose storage, containers and cgroups are
# the caller's own (under $WORK, cgroup parent /$CGROUP), and the cleanup that removes all of it again.
# The caller sets WORK (an absolute folder) and CGROUP, and calls podman_cleanup on exit.
for tool in podman runc curl python3; do
  command -v "$tool" > /dev/null || {
    echo "$(basename "$0"): $tool is missing (apt-get install podman runc curl)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "$(basename "$0"): needs root (rootful podman with runc)"; exit 1; }
# The sandbox cannot raise rlimits: ask for what this shell has (nproc at most 20000, which runc can set here).
NOFILE=$(ulimit -n) NPROC=$(ulimit -u)
if [ "$NPROC" = unlimited ] || [ "$NPROC" -gt 20000 ]; then NPROC=20000; fi
pod() {
  podman --root "$WORK/storage" --runroot "$WORK/run" --tmpdir "$WORK/tmp" --storage-driver overlay \
    --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"
}
# pod_load <archive>: loads an OCI archive into this storage and prints the image's name.
pod_load() { pod load -i "$1" 2> /dev/null | sed -n "s/^Loaded image[^:]*: //p" | head -1; }
# pod_run <name> <port> [podman run options...] : the image $IMAGE as a Knative pod runs it: read-only root, a
# tmpfs /tmp as the writable cache, a 3 GiB limit, PORT from the environment.
pod_run() {
  local name=$1 port=$2; shift 2
  pod run -d --name "$name" --network host --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=1g,mode=1777 \
    --memory 3g --memory-swap 3g --cgroup-parent "/$CGROUP" --ulimit "nofile=$NOFILE:$NOFILE" \
    --ulimit "nproc=$NPROC:$NPROC" -e "PORT=$port" "$@" "$IMAGE" > /dev/null
}
podman_cleanup() {
  pod rm -f -t 0 -a > /dev/null 2>&1 || true
  pod rmi -f -a > /dev/null 2>&1 || true
  for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  rm -rf "$WORK/storage" "$WORK/run" "$WORK/tmp"
  for c in /sys/fs/cgroup/*/"$CGROUP"; do [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null; done
  mkdir -p "$WORK/tmp"
  return 0
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
millis() { echo $(( $(date +%s%N) / 1000000 )); }
# await_ready <port> <start ms> <what is alive: pid or container>: prints ms from start to /q/health/ready 200.
await_ready() {
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "http://127.0.0.1:$1/q/health/ready" && { echo $(( $(millis) - $2 )); return; }
    "${@:3}" > /dev/null 2>&1 || { echo "$(basename "$0"): the server exited before it was ready" >&2; return 1; }
    sleep 0.02
  done
  echo "$(basename "$0"): not ready within 60 s" >&2; return 1
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
