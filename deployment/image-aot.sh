#!/usr/bin/env bash
# Adds a JDK 25 AOT cache to the Jib image, trained inside the image itself: the JVM only uses a cache made by
# the same JDK build from jars at the same paths with the same sizes and times, and inside the image they are
# exactly those a pod runs (Jib's fixed file times included), so no container build is needed.
#   1. the image runs under podman as a pod runs it (read-only root, tmpfs /tmp, non-root) with
#      -XX:AOTCacheOutput into a mounted folder, serves aot-train.sh's spread of requests, and drains on stop; it
#      unpacks the embedded models and native libraries into the folders the image will keep them in, mounted
#      there (so its graph cache entries record the image's paths), as the Dockerfile does;
#   2. the cache and those folders become one layer; the entrypoint names the cache (-XX:AOTCache),
#      the environment the folders, and JDK_JAVA_OPTIONS default to the GC and heap options it was trained with.
#      A pod may set its own: the JVM took the cache with -XX:AOTMode=on under service-cpu.yaml's C1-only
#      options, and under another GC;
#   3. the new image must start with -XX:AOTMode=on (which refuses to start when the cache cannot be used) on its
#      read-only root without writing anything, then ready is timed against the image without the cache
#      (AOT_RUNS rounds, taking turns).
# Build the image with the aot-jar layout first (classes of Quarkus's fast-jar class loader cannot be cached):
#   deployment/image-offline.sh -Dquarkus.package.jar.type=aot-jar
#   deployment/image-aot.sh [in archive] [out archive]   # default runtime/target/quiver-image{,-aot}.oci.tar
# Needs root, podman, runc, umoci and skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
IN=${1:-runtime/target/quiver-image.oci.tar}
OUT=${2:-runtime/target/quiver-image-aot.oci.tar}
RUNS=${AOT_RUNS:-3}
# What the image's JVM runs with, in training and in every start.
JVM_OPTS="-XX:+UseG1GC -XX:MaxRAMPercentage=75"
CACHE=/opt/quiver/app.aot
MODELS=/opt/quiver/cache
DJL=/opt/quiver/djl
[ -f "$IN" ] || { echo "image-aot.sh: no image archive $IN (deployment/image-offline.sh makes it)"; exit 1; }
for tool in umoci skopeo; do
  command -v "$tool" > /dev/null || { echo "image-aot.sh: $tool is missing (apt-get install umoci skopeo)"; exit 1; }
done
WORK=$(mkdir -p runtime/target/image-aot && cd runtime/target/image-aot && pwd)
CGROUP=quiver-image-aot
source deployment/podman-env.sh
trap podman_cleanup EXIT
trap 'exit 130' INT TERM
podman_cleanup
PLAIN=$(pod_load "$IN")
user=$(pod image inspect -f '{{.Config.User}}' "$PLAIN")
[ -n "$user" ] && [ "${user%%:*}" != 0 ] || {
  echo "image-aot.sh: the image runs as '$user', not a user of its own"; exit 1; }
# The layer to add, as a folder; while the image's user fills it, its folders are that user's alone (Quiver
# refuses a cache folder others could write).
layer=$WORK/layer
rm -rf "$WORK/oci" "$WORK/train" "$layer" "$WORK/layer.tar"
mkdir -p "$WORK/train" "$layer$MODELS" "$layer$DJL"
chown "$user" "$WORK/train" "$layer$MODELS" "$layer$DJL" && chmod 0700 "$WORK/train" "$layer$MODELS" "$layer$DJL"
echo "== training $PLAIN's AOT cache inside the image"
IMAGE=$PLAIN PORT=$(free_port)
pod_run quiver-train "$PORT" -v "$WORK/train:/train:rw" -v "$layer$MODELS:$MODELS:rw" -v "$layer$DJL:$DJL:rw" \
  -e "QUIVER_CACHE_DIR=$MODELS" -e "DJL_CACHE_DIR=$DJL" \
  -e "JDK_JAVA_OPTIONS=$JVM_OPTS -XX:AOTCacheOutput=/train/app.aot"
deployment/aot-train.sh --drive "http://127.0.0.1:$PORT" || { pod logs quiver-train; exit 1; }
# On SIGTERM the server drains and exits; the JVM then assembles the cache, which takes a while.
pod stop -t 600 quiver-train > /dev/null
code=$(pod inspect -f '{{.State.ExitCode}}' quiver-train)
[ "$code" = 0 ] && [ -s "$WORK/train/app.aot" ] || {
  echo "image-aot.sh: training exited $code without a cache"; pod logs quiver-train | tail -20; exit 1; }
pod rm -f quiver-train > /dev/null
install -m 0444 "$WORK/train/app.aot" "$layer$CACHE"
# Root's and read-only, as the Dockerfile leaves them: Quiver trusts root's folders read-only, so a pod that runs
# as another user (runAsUser, OpenShift's random ids) reads them too.
chown -R 0:0 "$layer" && chmod -R a+rX,go-w "$layer"
ls -l "$layer$CACHE"

echo "== $OUT: the image plus the cache"
name=${PLAIN#localhost/}
skopeo copy -q "oci-archive:$IN" "oci:$WORK/oci:plain"
umoci tag --image "$WORK/oci:plain" aot
# POSIX (pax) tar keeps the files' times to the nanosecond, which a graph cache entry checks (umoci insert
# would keep whole seconds).
tar --format=posix --numeric-owner -C "$layer" -cf "$WORK/layer.tar" opt
umoci raw add-layer --image "$WORK/oci:aot" "$WORK/layer.tar"
# java, the cache, then the Jib entrypoint's own arguments
mapfile -t entrypoint < <(skopeo inspect --config "oci:$WORK/oci:plain" \
  | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)["config"]["Entrypoint"]))')
[ "${entrypoint[0]}" = java ] || {
  echo "image-aot.sh: the entrypoint does not start with java: ${entrypoint[*]}"; exit 1; }
entrypoint=(java "-XX:AOTCache=$CACHE" "${entrypoint[@]:1}")
umoci config --image "$WORK/oci:aot" --config.env "JDK_JAVA_OPTIONS=$JVM_OPTS" \
  --config.env "QUIVER_CACHE_DIR=$MODELS" --config.env "DJL_CACHE_DIR=$DJL" \
  $(printf -- '--config.entrypoint %s ' "${entrypoint[@]}")
rm -f "$OUT"
skopeo copy -q "oci:$WORK/oci:aot" "oci-archive:$OUT:$name-aot"
ls -l "$OUT"

AOT=$(pod_load "$OUT")
IMAGE=$AOT PORT=$(free_port)
pod_run quiver-aot-on "$PORT" -e "JDK_JAVA_OPTIONS=$JVM_OPTS -XX:AOTMode=on"
await_ready "$PORT" "$(millis)" pod container exists quiver-aot-on > /dev/null || {
  echo "image-aot.sh: the image does not start with its cache required (-XX:AOTMode=on)"
  pod logs quiver-aot-on; exit 1; }
# On its read-only root it finds everything in place (a model copy it could not reuse would fail the start): no
# graph cache entry is missing either.
if pod logs quiver-aot-on 2>&1 | grep 'cannot write'; then
  echo "image-aot.sh: the image's start wanted to write into its own folders"; exit 1
fi
pod rm -f -t 30 quiver-aot-on > /dev/null
# A revision may name an embedded model the layer lacks: Quiver copies it into its user's own folder under /tmp.
IMAGE=$AOT PORT=$(free_port)
pod_run quiver-aot-more "$PORT" -e "QUIVER_MODELS_TINY_RANDOM_DEEPSEEK_R1_PATH=embedded:tiny-random-deepseek-r1"
await_ready "$PORT" "$(millis)" pod container exists quiver-aot-more > /dev/null \
  && pod logs quiver-aot-more 2>&1 | grep -q 'lacks tiny-random-deepseek-r1: copied to /tmp/' || {
  echo "image-aot.sh: the image does not serve an embedded model its layer lacks"; pod logs quiver-aot-more; exit 1; }
pod rm -f -t 30 quiver-aot-more > /dev/null
echo "$AOT starts with its AOT cache required (-XX:AOTMode=on), its models in place, and one it lacks"

declare -A images=([plain]=$PLAIN [aot]=$AOT) ms=([plain]= [aot]=)
for i in $(seq 1 "$RUNS"); do
  for kind in plain aot; do
    IMAGE=${images[$kind]} PORT=$(free_port) start=$(millis)
    pod_run "quiver-$kind-$i" "$PORT"
    ms[$kind]+="$(await_ready "$PORT" "$start" pod container exists "quiver-$kind-$i") "
    pod rm -f -t 30 "quiver-$kind-$i" > /dev/null
  done
done
# shellcheck disable=SC2086 # the lists of times split into median's arguments
echo "ready (podman run to /q/health/ready), $RUNS runs taking turns: without the cache ${ms[plain]}ms" \
  "(median $(median ${ms[plain]})), with it ${ms[aot]}ms (median $(median ${ms[aot]}))"
