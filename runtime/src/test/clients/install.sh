#!/usr/bin/env bash
# Installs the Node openai SDK the SDK test drives into node_modules beside this script (ignored by git); 6.x, since
# 7.x needs Node 22. The Python SDK is in the pinned environment (models/fixtures/python-env.sh). Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$here/node_modules/openai/package.json" ]; then
  (cd "$here" && npm install --no-save --no-audit --no-fund --no-package-lock openai@6.49.0 >/dev/null)
fi
