#!/usr/bin/env bash
# JDK 25 AOT cache (JEP 483/514/515) for the packaged server, from a training run that does real work:
# start, load and warm the models, answer a spread of requests on every route, drain on SIGTERM; the JVM
# writes the cache when it exits. Build with the aot-jar layout first, so that every class comes from the
# class path (classes of Quarkus's fast-jar class loader cannot be cached):
#
#   ./mvnw -pl runtime -am package -DskipTests -Dquarkus.package.jar.type=aot-jar
#   deployment/aot-train.sh [APP_DIR]          # writes APP_DIR/app.aot (default runtime/target/quarkus-app)
#   cd APP_DIR && java -XX:AOTCache=app.aot -jar quarkus-run.jar
#   deployment/aot-train.sh --drive URL        # only the requests, to a server already started with
#                                              # -XX:AOTCacheOutput (image-aot.sh trains inside the image so)
#
# The cache is only used with the same JDK build and the same jars (path, size and modification time), so run it
# where the application will run (the Dockerfile does it inside the image). QUIVER_CACHE_DIR, when set, is the
# model cache that the training run fills (bake it into an image to skip unpacking embedded models at start).
# SOURCE_DATE_EPOCH, when set, first sets every file's modification time to it (as Jib does in an image).
# TRAIN_CHAT_MODEL names the chat model the chat and completions requests go to (default: the embedded
# tiny-random-deepseek-r1 the defaults serve), so the request path of a chat revision is trained too.
set -euo pipefail
chat=${TRAIN_CHAT_MODEL:-tiny-random-deepseek-r1}

# drive <url> <alive: a command that fails once the server is gone>: waits for ready, then the spread of requests.
drive() {
  local url=$1; shift
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$url/q/health/ready" && break
    "$@" > /dev/null 2>&1 || { echo "the server exited before it was ready"; return 1; }
    sleep 0.2
  done
  curl -sf -o /dev/null "$url/q/health/ready" || { echo "not ready in 120 s"; return 1; }
  post() { curl -s -o /dev/null -w '%{http_code} ' -H 'Content-Type: application/json' -d "$2" "$url$1"; }
  for i in $(seq 1 40); do
    post /v1/embeddings "{\"input\":\"Knative scaled this pod from zero, request $i\"}"
    post /v1/embeddings '{"input":["a batch","of several","inputs"],"encoding_format":"base64"}'
    post /v1/embeddings '{"input":[[101,7592,2088,102]]}'
    post /embed '{"inputs":"text embeddings inference"}'
    post /v1/embeddings '{"model":"no-such-model","input":"404"}'
    post /v1/embeddings '{"input":'
    post /v1/chat/completions "{\"model\":\"$chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Scaled from zero, round $i\"}],\"max_tokens\":4}"
    post /v1/chat/completions "{\"model\":\"$chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Stream it\"}],\"max_tokens\":4,\"stream\":true}"
    post /v1/completions "{\"model\":\"$chat\",\"prompt\":\"Knative\",\"max_tokens\":4}"
    curl -s -o /dev/null "$url/v1/models"; curl -s -o /dev/null "$url/q/metrics"; curl -s -o /dev/null "$url/metrics"
    curl -s -o /dev/null "$url/q/health/live"; curl -s -o /dev/null "$url/q/health/started"; curl -s -o /dev/null "$url/health"
  done > /dev/null
}
if [ "${1:-}" = --drive ]; then
  drive "$2" true
  exit
fi

APP=$(cd "${1:-$(dirname "$0")/../runtime/target/quarkus-app}" && pwd)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
PORT=${TRAIN_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
[ -f "$APP/quarkus-run.jar" ] || { echo "no $APP/quarkus-run.jar"; exit 1; }
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  find "$APP" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
fi
rm -f "$APP/app.aot"
cd "$APP"
PORT=$PORT "$JAVA" -XX:AOTCacheOutput=app.aot ${TRAIN_JAVA_OPTS:-} -jar quarkus-run.jar > aot-train.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
drive "http://127.0.0.1:$PORT" kill -0 $pid || { cat aot-train.log; exit 1; }
kill -TERM $pid
wait $pid
trap - EXIT
ls -l app.aot
