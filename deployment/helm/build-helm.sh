#!/usr/bin/env bash
# Builds the pinned Helm CLI from the Go module proxy into .cache/tools/ (once; afterwards it returns at once).
# The manifest test renders the chart with it, so `./mvnw verify` needs nothing installed but Go.
# Prints the path of the helm binary.
set -euo pipefail
HELM_VERSION=v3.19.5
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.cache/tools"
bin="$tools/helm-$HELM_VERSION"
if [ ! -x "$bin" ]; then
  # The official tarball's place, when Go is installed but not on PATH.
  command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || { echo "build-helm.sh: Go is needed to build helm $HELM_VERSION (https://go.dev/dl)" >&2; exit 1; }
  mkdir -p "$tools"
  # Its own GOPATH under .cache keeps the module cache beside the tool and out of the user's.
  export GOPATH="${GOPATH:-$root/.cache/go}" CGO_ENABLED=0
  GOBIN="$tools" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
  mv "$tools/helm" "$bin"
fi
echo "$bin"
