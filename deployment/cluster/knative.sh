#!/usr/bin/env bash
# Installs Knative Serving's release (build.sh's serving-core.yaml, as it is) into the running cluster and waits
# for its deployments.
#   knative.sh <knative build folder>
set -euo pipefail
source "$(dirname "$0")/env.sh"
OUT=$1
BIN=$(echo "$OUT"/../kubernetes-*/bin)
kubectl() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
DIR=$STATE/knative
mkdir -p "$DIR"
# CRDs first, established before the objects of their kinds; server-side, as some CRDs pass the size limit of
# kubectl's last-applied annotation.
awk -v crds="$DIR/crds.yaml" -v rest="$DIR/rest.yaml" '
  /^---$/ { flush(); next } { doc = doc $0 "\n" } /^kind: CustomResourceDefinition$/ { crd = 1 }
  function flush() { if (doc != "") printf "---\n%s", doc > (crd ? crds : rest); doc = ""; crd = 0 }
  END { flush() }' "$OUT/serving-core.yaml"
kubectl apply --server-side -f "$DIR/crds.yaml" > /dev/null
kubectl wait --for=condition=Established -f "$DIR/crds.yaml" --timeout=60s > /dev/null
kubectl apply --server-side --force-conflicts -f "$DIR/rest.yaml" > /dev/null
kubectl -n knative-serving rollout status deployment --timeout=300s >&2
