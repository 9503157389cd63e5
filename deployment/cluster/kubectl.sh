#!/usr/bin/env bash
# kubectl (the one build.sh made) on the cluster start.sh started.
source "$(dirname "$0")/env.sh"
exec "$(echo "$("$CLUSTER_HOME/build.sh")"/kubernetes-*/bin/kubectl)" --kubeconfig "$KUBECONFIG_FILE" "$@"
