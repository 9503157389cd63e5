#!/usr/bin/env bash
# The cold-start table for a real-sized DeepSeek-R1-Distill-Qwen-1.5B-shaped model (random weights): Quiver with
# the fp32, fp16 and q4 ONNX graphs and the model builder's int4 export, each with its optimised-graph cache off
# and filled, and llama.cpp's llama-server with the F16, Q4_1 and Q4_0 GGUFs of the same weights, each started
# --runs times by `bench startup` (process start -> ready -> first answer, Quiver's phases from its log), then
# `bench report`.
#
#   bench/cold-start-r1.sh [--runs 3] [--only quiver-q4-off,llama-Q4_1] [--aot] [--results DIR] [--timeout 15m]
#
# Configurations (--only picks some, comma-separated): quiver-{fp32,fp16,q4,builder}-{off,filled},
# llama-{F16,Q4_1,Q4_0},
# vllm-fp32 (vLLM CPU on the same weights as a transformers folder, made once into .cache/peers/r1-hf).
# Any of them with -cold appended (quiver-builder-filled-cold, llama-Q4_0-cold) empties the kernel's page cache
# before each measured start (`bench startup --drop-caches`: root and a writable /proc/sys), as on a node that
# never read the image or the model; without it the starts find the files as the earlier ones left them (warm).
# Every configuration gets one unmeasured start first: it leaves the model's files in the page cache for all
# alike, unpacks ONNX Runtime's native libraries into the cache folder and, for "filled", writes the optimised graph
# that the measured starts then load (`bench startup --prime`). Quiver: model r1, context length 2048, cap 2;
# llama-server: 2 threads, 2 slots of 2048 tokens (-c 4096 -np 2), its weights repacked at load (its default) except
# on a CPU with AMX tiles, where it gets --no-repack (as `bench compare` runs it). The
# first request is one chat completion of one token. Each run also records the memory once answered (RSS, of it
# anonymous, and the model's files mapped: the model folder, and for Quiver its cache folder). Each
# configuration's cache folder is deleted after its runs (the fp32 entry alone is 7 GB).
#
# --aot runs Quiver as the image does: the aot-jar layout with a JDK AOT cache trained by deployment/aot-train.sh
# on the default models (packaged and trained into .cache/cold-start-app, -XX:AOTMode=on so a cache the JVM cannot
# use fails the run instead of going unnoticed); its rows are labelled "(AOT cache)". Without it, the fast-jar in
# runtime/target/quarkus-app.
#
# Made first when a configuration needs them and they are absent: the ONNX graphs (bench/shapes/make-r1-shapes.sh,
# ~12 GB; also what make-r1-gguf.sh checks the GGUFs against), the builder export (bench/shapes/make-r1-genai.sh,
# ~1.5 GB), the GGUFs (bench/shapes/make-r1-gguf.sh, ~6 GB), llama-server (bench/peers/llama-server.sh), the
# packaged server and bench.
# QUIVER_R1_SHAPE_DIR, QUIVER_R1_GENAI_DIR, QUIVER_R1_GGUF_DIR, QUIVER_PEERS_DIR: as those scripts read them.
# JAVA_HOME selects the JDK.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=3 only="" timeout=15m aot=""
results=${HOME}/.cache/quiver/bench-results/cold-start-r1-$(date +%Y%m%d-%H%M%S)
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --aot) aot=1; shift ;;
    *) echo "usage: $0 [--runs N] [--only CONFIG,...] [--aot] [--results DIR] [--timeout 15m]" >&2; exit 2 ;;
  esac
done
# Quiver's starts run from its application folder: every path they are given must be absolute.
results=$(realpath -ms "$results")
shape=$(realpath -ms "${QUIVER_R1_SHAPE_DIR:-$repo/.cache/models/r1-distill-qwen-1.5b-shape}")
peers=$(realpath -ms "${QUIVER_PEERS_DIR:-$repo/.cache/peers}")
export QUIVER_R1_SHAPE_DIR=$shape QUIVER_PEERS_DIR=$peers
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=$repo/runtime/target/quarkus-app/quarkus-run.jar
bench=$repo/bench/target/quiver-bench.jar
llama=$peers/llama.cpp/build/bin/llama-server
gguf=${QUIVER_R1_GGUF_DIR:-$shape-gguf}/r1-distill-qwen-1.5b-shape
genai=${QUIVER_R1_GENAI_DIR:-$shape-genai}

configs=(quiver-fp32-off quiver-fp32-filled quiver-fp16-off quiver-fp16-filled quiver-q4-off quiver-q4-filled
         quiver-builder-off quiver-builder-filled llama-F16 llama-Q4_1 llama-Q4_0 vllm-fp32)
if [ -n "$only" ]; then
  for c in ${only//,/ }; do
    [[ " ${configs[*]} " == *" ${c%-cold} "* ]] || { echo "unknown configuration $c (${configs[*]}, each also -cold)" >&2; exit 2; }
  done
  configs=(${only//,/ })
fi
wants() { [[ " ${configs[*]} " =~ \ ($1) ]]; }

# An existing folder is used as it is (regenerating it takes long); delete its .complete to remake it.
if wants 'quiver-(fp32|fp16|q4)|llama|vllm'; then
  [ -f "$shape/.complete" ] || "$repo/bench/shapes/make-r1-shapes.sh"
fi
if wants llama; then
  "$repo/bench/shapes/make-r1-gguf.sh"
  [ -x "$llama" ] || "$repo/bench/peers/llama-server.sh" --build-only
fi
if wants quiver-builder; then
  QUIVER_R1_GENAI_DIR=$genai "$repo/bench/shapes/make-r1-genai.sh"
fi
if [ ! -f "$jar" ] || [ ! -f "$bench" ]; then
  (cd "$repo" && ./mvnw -B -q -pl bench -am package -DskipTests)
fi
# Quiver's application folder, the jar as it is started from there, and the JVM options of every start.
app=$(dirname "$jar") app_jar=$jar app_opts=() app_label=""
if [ -n "$aot" ] && wants quiver; then
  app=$repo/.cache/cold-start-app
  (cd "$repo" && ./mvnw -B -q -pl runtime -am package -DskipTests -Dquarkus.package.jar.type=aot-jar)
  rm -rf "$app" && mkdir -p "$(dirname "$app")" && cp -r "$repo/runtime/target/quarkus-app" "$app"
  QUIVER_CACHE_DIR="$app/train-cache" "$repo/deployment/aot-train.sh" "$app"
  rm -rf "$app/train-cache"
  # The cache holds the class path as the training run gave it: start the same way, from the same folder.
  app_jar=quarkus-run.jar app_opts=(--jvm-opt -XX:AOTCache=app.aot --jvm-opt -XX:AOTMode=on) app_label=" (AOT cache)"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d "${TMPDIR:-/tmp}/quiver-cold-start-r1.XXXXXX")
trap 'rm -rf "$work"' EXIT
common=(--runs "$runs" --prime --port "$port" --route chat --model r1 --max-tokens 1 --timeout "$timeout"
        --results "$results")
echo "cold-start-r1: ${configs[*]}; $runs run(s) each; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cpus"

# Quiver refuses QUIVER_* variables that are not its settings, as this script's own are: its starts get none and
# are configured by -D options alone.
unquivered() { env $(compgen -e | grep '^QUIVER_' | sed 's/^/-u /') "$@"; }
failed=()
for c in "${configs[@]}"; do
  cold=() base=$c
  if [[ $c == *-cold ]]; then
    cold=(--drop-caches) base=${c%-cold}
  fi
  IFS=- read -r server precision cache <<< "$base"
  if [ "$server" = quiver ]; then
    # The builder export is a folder of its own (model.onnx + genai_config.json); the others are files of $shape.
    if [ "$precision" = builder ]; then
      model=$genai folder=(--jvm-opt "-Dquiver.models.r1.path=$genai") label="Quiver r1 builder"
      precision="q4 (builder int4)"
    else
      file=$(case $precision in fp32) echo model.onnx ;; fp16) echo model_fp16.onnx ;; q4) echo model_q4.onnx ;; esac)
      model=$shape folder=(--jvm-opt "-Dquiver.models.r1.path=$shape" --jvm-opt "-Dquiver.models.r1.onnx-file=$file")
      label="Quiver r1 $precision"
    fi
    mode=$([ "$cache" = off ] && echo off || echo read-write)
    (cd "$app" && unquivered "$java" -jar "$bench" startup "${common[@]}" "${cold[@]}" --jar "$app_jar" "${app_opts[@]}" \
      --label "$label$app_label" --precision "$precision" "${folder[@]}" \
      --jvm-opt "-Dquiver.models.r1.context-length=2048" --jvm-opt "-Dquiver.concurrency.max=2" \
      --jvm-opt "-Dquiver.cache-dir=$work/cache-$c" --jvm-opt "-Dquiver.graph-cache=$mode" \
      --mapped-under "$model" --mapped-under "$work/cache-$c") || failed+=("$c")
    rm -rf "$work/cache-$c"
  elif [ "$server" = vllm ]; then
    # vLLM reads a transformers folder: the same model saved in float16 (3.6 GB, made once), served in float32.
    hf=$peers/r1-hf
    [ -s "$hf/config.json" ] || "$("$repo/models/fixtures/python-env.sh")" "$repo/bench/shapes/r1_gguf.py" hf "$hf"
    [ -x "$peers/vllm/venv/bin/python" ] || "$repo/bench/peers/vllm.sh"
    "$java" -jar "$bench" startup "${common[@]}" "${cold[@]}" --label "vLLM CPU r1 fp32" --precision fp32 \
      --env VLLM_CPU_KVCACHE_SPACE=1 --env VLLM_TARGET_DEVICE=cpu --mapped-under "$hf" \
      --command "$peers/vllm/venv/bin/python -m vllm.entrypoints.openai.api_server --model $hf --served-model-name r1 --dtype float32 --host 127.0.0.1 --port {port} --max-num-seqs 2 --max-model-len 2048" \
      || failed+=("$c")
  else
    repack=""
    grep -qw amx_tile /proc/cpuinfo && repack="--no-repack"
    "$java" -jar "$bench" startup "${common[@]}" "${cold[@]}" --label "llama-server r1 $precision" \
      --precision "$precision" --mapped-under "$(dirname "$gguf")" \
      --command "$llama -m $gguf.$precision.gguf --host 127.0.0.1 --port {port} -t 2 -tb 2 -c 4096 -np 2 $repack --alias r1" \
      || failed+=("$c")
  fi
done

# One folder for the report, should the runs have crossed midnight (results go under <results>/<date>/).
mkdir -p "$results/table"
# Results are committed: the commands they record keep no path of this machine.
find "$results" -mindepth 2 -maxdepth 2 -name 'startup-*.json' ! -path "$results/table/*" \
  -exec sed -i -e "s|$work|<work>|g" -e "s|$repo/||g" {} +
find "$results" -mindepth 2 -maxdepth 2 -name 'startup-*.json' ! -path "$results/table/*" -exec cp {} "$results/table/" \;
"$java" -jar "$bench" report --in "$results/table"
if [ ${#failed[@]} -gt 0 ]; then
  echo "cold-start-r1: failed (not in the table): ${failed[*]}" >&2
  exit 1
fi
