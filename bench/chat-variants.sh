#!/usr/bin/env bash
# Tokens/s of every chat graph variant Quiver is tested on, each served alone by the packaged server and driven by
# `bench load` (greedy, ignore_eos, 64 tokens, short prompts) at 1 and 4 streams. Prints one Markdown row per
# variant; the load results go to the folder given by --results (default: a temporary folder).
#
#   ./mvnw -q -pl bench -am package -DskipTests && models/fixtures/real/prepare-smollm2.sh
#   bench/chat-variants.sh [--requests 8] [--results DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
requests=8
results=$(mktemp -d)
while [ $# -gt 0 ]; do
  case $1 in
    --requests) requests=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    *) echo "usage: $0 [--requests N] [--results DIR]" >&2; exit 2 ;;
  esac
done
jar=$repo/runtime/target/quarkus-app/quarkus-run.jar
bench=$repo/bench/target/quiver-bench.jar
smollm2=${QUIVER_SMOLLM2_DIR:-$repo/.cache/models/smollm2-135m-instruct}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
port=18181
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A test fixture folder as its files.txt lists it ("<file> from <embedded fixture>" takes the shipped copy).
assemble() {
  local name=$1 out=$work/$1 line file from
  while read -r line; do
    [ -z "$line" ] && continue
    file=${line%% from *}
    if [ "$file" != "$line" ]; then from=$repo/models/src/main/resources/fixtures/${line##* from }/$file
    else from=$repo/models/src/test/resources/fixtures/$name/$file; fi
    mkdir -p "$(dirname "$out/$file")" && cp "$from" "$out/$file"
  done < "$repo/models/src/test/resources/fixtures/$name/files.txt"
  echo "$out"
}

variants=()
r1=$repo/models/src/main/resources/fixtures/tiny-random-deepseek-r1
r1v=$(assemble tiny-random-deepseek-r1-variants)
for f in model.onnx model_fp16.onnx model_int8.onnx model_q4.onnx model_q4f16.onnx; do
  variants+=("tiny-random-deepseek-r1 (Qwen2, Optimum)|$r1v|$f")
done
variants+=("tiny-random-r1-llama (Llama, Optimum)|$(assemble tiny-random-r1-llama)|model.onnx")
variants+=("tiny-random-deepseek-r1-genai (onnxruntime-genai)|embedded:tiny-random-deepseek-r1-genai|")
variants+=("SmolLM2-135M-Instruct (real)|$smollm2|model.onnx" "SmolLM2-135M-Instruct (real)|$smollm2|model_q4.onnx")

echo "| model | graph | tok/s, 1 stream | tok/s, 4 streams | TTFT p50 at 1 (ms) |"
echo "|---|---|---|---|---|"
for v in "${variants[@]}"; do
  IFS='|' read -r label folder file <<< "$v"
  opts=(-Dquarkus.http.port=$port -Dquiver.models.chat.path="$folder" -Dquiver.cache-dir="$work/cache")
  [ -n "$file" ] && opts+=(-Dquiver.models.chat.onnx-file="$file")
  "$java" "${opts[@]}" -jar "$jar" > "$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    curl -sf "localhost:$port/q/health/ready" > /dev/null && break
    kill -0 $pid 2> /dev/null || { echo "| $label | ${file:-genai} | failed to start: $(grep -m1 ERROR "$work/server.log") | | |"; continue 2; }
    sleep 0.5
  done
  out=$("$java" -jar "$bench" load --url "http://localhost:$port" --route chat --model chat --prompts short \
    --max-tokens 64 --concurrency 1,4 --requests "$requests" --results "$results" 2>&1)
  kill $pid; wait $pid 2> /dev/null || true
  tok() { echo "$out" | grep "^c=$1 " | sed -E 's/.* ([0-9.]+) tok\/s.*/\1/'; }
  ttft=$(echo "$out" | grep '^c=1 ' | sed -E 's/.*ttft p50 +([0-9.]+) ms.*/\1/')
  echo "| $label | ${file:-genai_config.json} | $(tok 1) | $(tok 4) | $ttft |"
done
