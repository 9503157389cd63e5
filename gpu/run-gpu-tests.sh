#!/usr/bin/env bash
# Runs the gpu-tagged tests of the gpu module (real JCuda discovery, ONNX Runtime CUDA sessions) on a machine
# with an NVIDIA GPU, then prints each test that ran and its outcome. Extra arguments go to Maven (e.g. -o).
# Needs: the NVIDIA driver, and for the ONNX Runtime test the CUDA 12 and cuDNN 9 runtime libraries.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=index,name,memory.total,memory.used --format=csv,noheader
else
  echo "nvidia-smi not found: these tests need an NVIDIA GPU and its driver" >&2
fi

reports=gpu/target/surefire-reports
rm -rf "$reports" # so only what this run did is listed below

status=0
./mvnw -B -Pgpu-tests -pl gpu test "$@" || status=$?

ran=0
echo
echo "gpu-tagged tests:"
for xml in "$reports"/TEST-*.xml; do
  [ -e "$xml" ] || continue
  # One line per testcase: class.method and its outcome.
  while IFS= read -r line; do
    echo "  $line"
    ran=$((ran + 1))
  done < <(python3 - "$xml" <<'PY'
import sys, xml.etree.ElementTree as ET
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    outcome = "PASSED"
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            outcome = tag.upper()
    print(f"{outcome:8} {case.get('classname')}.{case.get('name')} ({case.get('time')} s)")
PY
)
done
echo "$ran test(s) ran"
if [ "$ran" -eq 0 ]; then
  echo "no gpu-tagged test ran" >&2
  exit 1
fi
exit "$status"
