#!/usr/bin/env bash
# Quiver on Knative, end to end, in the order it needs: the image (../image-offline.sh), the image under podman
# (../smoke-image.sh), the cluster's parts (build.sh; instant once built), then KnativeServingIT, which starts the
# cluster (start.sh), applies the repository's Knative manifests, tests, and stops it (stop.sh) however it ends.
# CI runs it after the build. Needs root and the packages start.sh and smoke-image.sh name.
#   deployment/cluster/e2e.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! java -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  for jdk in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*-25-*; do
    if [ -x "$jdk/bin/java" ]; then export JAVA_HOME="$jdk" PATH="$jdk/bin:$PATH"; break; fi
  done
fi
t0=$(date +%s)
step() { echo "== e2e.sh: $(( $(date +%s) - t0 )) s: $*"; }
step "image"
deployment/image-offline.sh
step "image under podman"
deployment/smoke-image.sh
step "cluster parts"
deployment/cluster/build.sh > /dev/null
step "KnativeServingIT"
./mvnw -B -pl bench -am -Pknative-e2e verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=KnativeServingIT -Dfailsafe.failIfNoSpecifiedTests=false
step "done"
