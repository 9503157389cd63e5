#!/usr/bin/env bash
# Builds msp-scrape (the inference gateway's endpoint-picker metrics collection run once against one server, see
# msp-scrape/main.go) into .cache/tools/, named after the pinned sigs.k8s.io/gateway-api-inference-extension
# version, and prints its path. The modules come from the Go module proxy (pinned in msp-scrape/go.mod and go.sum);
# a second call with unchanged sources is instant. On failure it says in one line what is missing.
#
# Pinned to v1.5.0: the last release whose module holds the endpoint picker. From v1.6.0 the module keeps only a
# lightweight conformance picker with no metrics collection; the picker itself moved to llm-d/llm-d-router, which
# the Go module proxy does not serve.
set -euo pipefail

HERE="$(cd "$(dirname "$0")/msp-scrape" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
MODULE=sigs.k8s.io/gateway-api-inference-extension
VERSION="$(awk -v m="$MODULE" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' "$HERE/go.mod")"
BIN="$ROOT/.cache/tools/msp-scrape-$VERSION"

if [[ -x "$BIN" && -z "$(find "$HERE" -newer "$BIN" \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \))" ]]; then
  echo "$BIN"
  exit 0
fi
GO="$(command -v go || true)"
[[ -n "$GO" ]] || GO=/usr/local/go/bin/go
if [[ ! -x "$GO" ]]; then
  echo "build-msp-scrape: no Go toolchain (go on PATH or /usr/local/go/bin/go); install Go 1.26 or newer" >&2
  exit 1
fi
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
cd "$HERE"
echo "build-msp-scrape: building against $MODULE@$VERSION (first time: module download + build, minutes)" >&2
if ! "$GO" mod download >"$LOG" 2>&1; then
  echo "build-msp-scrape: could not download $MODULE@$VERSION and its dependencies from the Go module proxy" \
    "($("$GO" env GOPROXY)): $(grep -v '^go: downloading' "$LOG" | tail -n 1)" >&2
  exit 1
fi
mkdir -p "$(dirname "$BIN")"
if ! "$GO" build -trimpath -o "$BIN.tmp" . >"$LOG" 2>&1; then
  echo "build-msp-scrape: go build failed: $(tr '\n' ' ' <"$LOG")" >&2
  exit 1
fi
mv "$BIN.tmp" "$BIN"
echo "$BIN"
