#!/usr/bin/env bash
# Builds kpa-decider (Knative's KPA decider over a concurrency trace, see main.go) into .cache/tools/ and prints its
# path. Knative's packages come from the Go module proxy (pinned in go.mod/go.sum, knative.dev/serving v0.42.2, the
# same release as deployment/knative/build-queue-proxy.sh); a second call with unchanged sources is instant.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="$ROOT/.cache/tools/kpa-decider"

if [[ -x "$BIN" && -z "$(find "$HERE" -newer "$BIN" \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \))" ]]; then
  echo "$BIN"
  exit 0
fi
GO="$(command -v go || true)"
[[ -n "$GO" ]] || GO=/usr/local/go/bin/go
if [[ ! -x "$GO" ]]; then
  echo "kpa-go/build.sh: no Go toolchain (go on PATH or /usr/local/go/bin/go); install Go 1.22 or newer" >&2
  exit 1
fi
mkdir -p "$(dirname "$BIN")"
cd "$HERE"
"$GO" build -trimpath -o "$BIN.tmp" . >&2
mv "$BIN.tmp" "$BIN"
echo "$BIN"
