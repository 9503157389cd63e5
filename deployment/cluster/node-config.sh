#!/usr/bin/env bash
# Writes the node's configuration into <state>/config and <state>/cni: containerd (CRI with runc, the CNI bridge,
# the sandbox image built here, every path under the state folder), the kubelet (cgroupfs under its own cgroup
# root, no cluster DNS), kube-proxy (iptables) and the CNI network of the pods.
#   node-config.sh <state> <cni bin dir> <knative build folder>
set -euo pipefail
source "$(dirname "$0")/env.sh"
STATE=$1 CNI_BIN=$2
PAUSE=$(cd "$3/.." && ls -d kubernetes-* | head -1)
cat > "$STATE/config/containerd.toml" <<TOML
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "dev.local/pause:${PAUSE#kubernetes-}"
  # pod network namespaces under the state folder, not /run/netns, so stop.sh finds every one
  netns_mounts_under_state_dir = true
  # No OOM score below containerd's own (0): lowering one needs CAP_SYS_RESOURCE, which a machine may not grant
  # even to root (the sandbox's -998 and a Guaranteed pod's -997 then fail runc's start with EACCES).
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "$STATE/containerd/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$STATE/cni/net.d"
    max_conf_num = 1
TOML
cat > "$STATE/cni/net.d/10-quiver.conflist" <<JSON
{"cniVersion": "0.4.0", "name": "quiver-pods", "plugins": [
  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$STATE/cni/ipam", "routes": [{"dst": "0.0.0.0/0"}],
            "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$BRIDGE_IP"}]]}}]}
JSON
# Pods resolve cluster names through CoreDNS on the node's address and nothing else: the file the kubelet takes
# search domains and upstream servers from names none.
printf 'nameserver 127.0.0.1\n' > "$STATE/config/resolv.conf"
cat > "$STATE/config/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: /$CGROUP_ROOT
failSwapOn: false
failCgroupV1: false
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $STATE/pki/ca.crt}
authorization: {mode: AlwaysAllow}
clusterDomain: cluster.local
clusterDNS: [$NODE_IP]
resolvConf: $STATE/config/resolv.conf
podLogsDir: $STATE/log/pods
volumePluginDir: $STATE/kubelet/volume-plugins
# A shared development machine: evict nothing because of what other work does to its memory or disk.
evictionHard: {memory.available: 50Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
podPidsLimit: -1
oomScoreAdj: 0
YAML
cat > "$STATE/config/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
clientConnection: {kubeconfig: $KUBECONFIG_FILE}
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# nf_conntrack_max is the whole machine's, not the namespace's: leave the conntrack sysctls as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
oomScoreAdj: 0
YAML
