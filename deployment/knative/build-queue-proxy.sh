#!/usr/bin/env bash
# Builds Knative Serving's queue-proxy (knative.dev/serving/cmd/queue) from the Go module proxy into
# .cache/tools/, for tests that run Quiver beside it the way a revision pod does. Prints the binary's path.
# A second call is instant (the binary is kept); the module download is cached in Go's own module cache.
#
# Pinned to v0.42.2 (Knative 1.15): the newest release whose whole dependency graph the module proxy serves here
# (v0.51.0's knative.dev/pkg and knative.dev/networking pseudo-versions are refused). `go install pkg@version`
# refuses it (knative.dev/serving's go.mod has a replace directive), so the build goes through a throw-away
# module in .cache/ that requires it and repeats that replace.
set -euo pipefail

VERSION="${KNATIVE_SERVING_VERSION:-v0.42.2}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="$ROOT/.cache/tools"
BIN="$TOOLS/queue-proxy-$VERSION"

if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

GO="$(command -v go || true)"
[[ -n "$GO" ]] || GO=/usr/local/go/bin/go
if [[ ! -x "$GO" ]]; then
  echo "build-queue-proxy: no Go toolchain (go on PATH or /usr/local/go/bin/go); install Go 1.22 or newer" >&2
  exit 1
fi

SRC="$ROOT/.cache/queue-proxy-src/$VERSION"
mkdir -p "$SRC" "$TOOLS"
cat > "$SRC/go.mod" <<MOD
module quiver.local/queueproxy

go 1.22

require knative.dev/serving $VERSION

replace github.com/gorilla/websocket => github.com/gorilla/websocket v1.5.0
MOD
cat > "$SRC/tools.go" <<'GO'
//go:build tools

package tools

import _ "knative.dev/serving/cmd/queue"
GO

cd "$SRC"
echo "build-queue-proxy: building knative.dev/serving/cmd/queue@$VERSION (first time: module download + build, a few minutes)" >&2
GOFLAGS=-mod=mod "$GO" mod tidy >&2
GOFLAGS=-mod=mod "$GO" build -trimpath -o "$BIN.tmp" knative.dev/serving/cmd/queue >&2
mv "$BIN.tmp" "$BIN"
echo "$BIN"
