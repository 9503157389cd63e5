# The single-node cluster's names, addresses and places, shared by start.sh, stop.sh and kubectl.sh (sourced).
# Everything it makes lives in one network namespace and one state folder: stop.sh removes both.
CLUSTER_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CLUSTER_HOME/../.." && pwd)
STATE=${CLUSTER_STATE:-/var/lib/quiver-cluster}
NETNS=${CLUSTER_NETNS:-quiver-cluster}
# Addresses from 198.18.0.0/15 (RFC 2544, benchmarking): no real network uses them.
HOST_IF=qc-host HOST_IP=198.18.0.1   # the host's end of the link into the namespace
NODE_IF=qc-node NODE_IP=198.18.0.2   # the node: apiserver, kubelet, kube-proxy, containerd live behind it
LINK_CIDR=198.18.0.0/30
POD_CIDR=198.18.16.0/24 BRIDGE=qc0 BRIDGE_IP=198.18.16.1
SERVICE_CIDR=198.19.0.0/16 KUBERNETES_SERVICE_IP=198.19.0.1
NODE_NAME=quiver-node
CGROUP_ROOT=quiver-cluster
CONTAINERD_SOCK=$STATE/containerd/containerd.sock
KUBECONFIG_FILE=$STATE/pki/admin.conf
LOGS=$STATE/log PIDS=$STATE/pid
in_netns() { nsenter --net="/run/netns/$NETNS" "$@"; }
cluster_bin() { "$CLUSTER_HOME/build.sh"; }
