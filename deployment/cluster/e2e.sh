#!/usr/bin/env bash
# Quiver on Knative, end to end, in the order it needs: the image (../image-offline.sh, aot-jar layout), the image
# under podman (../smoke-image.sh), its AOT cache (../image-aot.sh), the 1.5B chat model's export
# (bench/shapes/make-r1-genai.sh; once), the cluster's parts (build.sh; instant once built), then KnativeServingIT
# (Maven profile knative-e2e), which starts the cluster (start.sh), applies the repository's Knative manifests,
# tests, and stops it (stop.sh) however it ends. Last, it checks that the machine is as it was: the network
# interfaces, routes, network namespaces, iptables rules, the mounts and cgroups the cluster uses, and no process
# left that names its state.
# Needs root and the packages start.sh and smoke-image.sh name; the first run builds the cluster (see build.sh).
#   deployment/cluster/e2e.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source deployment/cluster/env.sh
if ! java -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  for jdk in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*-25-*; do
    if [ -x "$jdk/bin/java" ]; then export JAVA_HOME="$jdk" PATH="$jdk/bin:$PATH"; break; fi
  done
fi
t0=$(date +%s)
step() { echo "== e2e.sh: $(( $(date +%s) - t0 )) s: $*"; }

# What the cluster touches on the host, as text: compared before and after. Absent things are no error.
footprint() (
  set +e +o pipefail
  ip -o link | sed -E 's/^[0-9]+: //; s/ qlen [0-9]+//' | cut -d' ' -f1 | sort
  ip route; ip netns list 2>/dev/null
  for table in filter nat mangle raw; do iptables-save -t "$table" 2>/dev/null | grep -v -e '^#' -e '^:' ; done
  awk '{print $5}' /proc/self/mountinfo | grep -e "$STATE" -e /run/netns -e /run/containerd | sort
  ls -d /sys/fs/cgroup/*/"$CGROUP_ROOT" 2>/dev/null
  ls -d /var/lib/cni /run/containerd /var/log/containers "$STATE" 2>/dev/null
  true
)
before=$(mktemp) after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
footprint > "$before"

step "image"
deployment/image-offline.sh -Dquarkus.package.jar.type=aot-jar
step "image under podman"
deployment/smoke-image.sh
step "the image's AOT cache"
deployment/image-aot.sh
step "the 1.5B R1-shaped chat model"
bench/shapes/make-r1-genai.sh
step "cluster parts"
deployment/cluster/build.sh > /dev/null
step "KnativeServingIT"
status=0
./mvnw -B -pl bench -am -Pknative-e2e verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=KnativeServingIT -Dfailsafe.failIfNoSpecifiedTests=false || status=$?

step "the machine as it was"
footprint > "$after"
if ! diff "$before" "$after"; then
  echo "e2e.sh: the cluster left the lines marked > above (< went missing)" >&2
  status=1
fi
left=$(pgrep -f -- "$STATE/" || true)
if [ -n "$left" ]; then
  echo "e2e.sh: processes still naming $STATE: $left" >&2
  status=1
fi
step "done (exit $status)"
exit "$status"
