#!/usr/bin/env bash
# Starts a single-node Kubernetes with Knative Serving on this machine, inside its own network namespace:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, CoreDNS, containerd (runc, CNI bridge), kubelet and
# kube-proxy (iptables) as processes, then Knative Serving's release (CRDs, controller, webhook, autoscaler,
# activator) as pods from images loaded into containerd. Built first by build.sh when needed. Idempotent: a cluster
# that is up is left as it is, a broken one is stopped (stop.sh) and started again. Prints the kubeconfig's path.
# Needs root, containerd, runc, containernetworking-plugins, iptables, conntrack, openssl, umoci, skopeo
# (apt-get install containerd runc containernetworking-plugins iptables conntrack openssl umoci skopeo).
#   deployment/cluster/start.sh     then: deployment/cluster/kubectl.sh get pods -A
set -euo pipefail
source "$(dirname "$0")/env.sh"
fail() { echo "cluster/start.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (network namespace, containerd, kubelet)"
for tool in nsenter ip iptables conntrack openssl containerd containerd-shim-runc-v2 ctr runc curl; do
  command -v "$tool" > /dev/null || fail "$tool is missing (apt-get install containerd runc containernetworking-plugins iptables conntrack openssl curl)"
done
CNI_BIN=${CNI_BIN:-/usr/lib/cni}
for plugin in bridge host-local loopback; do
  [ -x "$CNI_BIN/$plugin" ] || fail "CNI plugin $CNI_BIN/$plugin is missing (apt-get install containernetworking-plugins)"
done

OUT=$(cluster_bin)
BIN=$(echo "$OUT"/kubernetes-*/bin)
COREDNS=$(echo "$OUT"/coredns-*/bin/coredns)
KNATIVE=$(echo "$OUT"/knative-serving-*)
kubectl() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

if [ -f "$STATE/ready" ] && kubectl get --raw /readyz > /dev/null 2>&1 \
   && kubectl -n knative-serving rollout status deployment --timeout=5s > /dev/null 2>&1; then
  echo "cluster/start.sh: already up" >&2; echo "$KUBECONFIG_FILE"; exit 0
fi
if [ -e "$STATE" ] || [ -e "/run/netns/$NETNS" ]; then
  echo "cluster/start.sh: a cluster is half up; stopping it first" >&2
  "$CLUSTER_HOME/stop.sh"
fi
ip route show | grep -q '^198\.1[89]\.' && fail "the host already routes 198.18.0.0/15: $(ip route show | grep '^198\.1[89]\.' | head -1)"
ip link show "$HOST_IF" > /dev/null 2>&1 && fail "network interface $HOST_IF exists already"

mkdir -p "$STATE"/{pki,log,pid,etcd,containerd,kubelet,cni/net.d,cni/ipam,config}
# stop.sh removes what the CNI library and containerd's shims write outside the state folder only if start made it.
for d in /var/lib/cni /run/containerd /run/netns /var/log/containers; do [ -e "$d" ] || echo "$d" >> "$STATE/created"; done
# start <name> <command...>: a daemon in the namespace, in its own session, its PID in $PIDS/<name>.
start() {
  local name=$1; shift
  setsid nsenter --net="/run/netns/$NETNS" "$@" > "$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$PIDS/$name"
}
# wait_for <what> <seconds> <command...>
wait_for() {
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" > /dev/null 2>&1 && return; sleep 0.2; done
  fail "$what not up within ${seconds} s; logs in $LOGS"
}
t0=$(date +%s)
step() { echo "cluster/start.sh: $(( $(date +%s) - t0 )) s: $*" >&2; }

step "network namespace $NETNS, link $HOST_IP <-> $NODE_IP"
ip netns add "$NETNS"
ip link add "$HOST_IF" type veth peer name "$NODE_IF" netns "$NETNS"
ip addr add "$HOST_IP/30" dev "$HOST_IF" && ip link set "$HOST_IF" up
in_netns ip link set lo up
in_netns ip addr add "$NODE_IP/30" dev "$NODE_IF" && in_netns ip link set "$NODE_IF" up
in_netns sysctl -qw net.ipv4.ip_forward=1
# The host reaches pods and Services through the link; nothing routes out of the namespace (no default route).
ip route add "$POD_CIDR" via "$NODE_IP" dev "$HOST_IF"
ip route add "$SERVICE_CIDR" via "$NODE_IP" dev "$HOST_IF"
# Inside, Service addresses need a route for a connection to start at all (the apiserver calling Knative's webhook):
# kube-proxy's DNAT then sends it to a pod.
in_netns ip route add "$SERVICE_CIDR" dev "$NODE_IF"

step "certificates"
"$CLUSTER_HOME/pki.sh" "$STATE/pki"

step "etcd"
start etcd "$BIN/etcd" --name node --data-dir "$STATE/etcd" --unsafe-no-fsync \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster node=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381
wait_for etcd 60 in_netns curl -sf http://127.0.0.1:2381/health

step "kube-apiserver"
P=$STATE/pki
start kube-apiserver "$BIN/kube-apiserver" --etcd-servers http://127.0.0.1:2379 \
  --advertise-address "$NODE_IP" --bind-address 0.0.0.0 --secure-port 6443 \
  --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode RBAC --allow-privileged \
  --kubelet-preferred-address-types InternalIP \
  --client-ca-file "$P/ca.crt" --tls-cert-file "$P/apiserver.crt" --tls-private-key-file "$P/apiserver.key" \
  --kubelet-client-certificate "$P/admin.crt" --kubelet-client-key "$P/admin.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local --service-account-key-file "$P/sa.pub" \
  --service-account-signing-key-file "$P/sa.key" --profiling=false
wait_for kube-apiserver 120 kubectl get --raw /readyz

step "kube-controller-manager, kube-scheduler"
start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$KUBECONFIG_FILE" \
  --leader-elect=false --bind-address 127.0.0.1 --use-service-account-credentials \
  --service-account-private-key-file "$P/sa.key" --root-ca-file "$P/ca.crt" \
  --cluster-signing-cert-file "$P/ca.crt" --cluster-signing-key-file "$P/ca.key" --profiling=false
start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$KUBECONFIG_FILE" --leader-elect=false \
  --bind-address 127.0.0.1 --profiling=false

step "CoreDNS"
cat > "$STATE/config/Corefile" <<COREFILE
cluster.local:53 {
    bind $NODE_IP
    ready 127.0.0.1:8181
    errors
    kubernetes cluster.local {
        kubeconfig $KUBECONFIG_FILE quiver
    }
}
COREFILE
start coredns "$COREDNS" -conf "$STATE/config/Corefile"
wait_for CoreDNS 60 in_netns curl -sf http://127.0.0.1:8181/ready

step "containerd"
"$CLUSTER_HOME/node-config.sh" "$STATE" "$CNI_BIN" "$KNATIVE"
start containerd containerd --config "$STATE/config/containerd.toml"
wait_for containerd 30 ctr --address "$CONTAINERD_SOCK" version
for archive in "$BIN"/../images/*.tar "$KNATIVE"/images/*.tar; do
  ctr --address "$CONTAINERD_SOCK" -n k8s.io images import "$archive" > /dev/null
done

step "kubelet, kube-proxy"
# The kubelet's cgroup root must exist; a new cpuset cgroup (v1) has no CPUs or memory nodes until given its parent's.
for controller in /sys/fs/cgroup/*/; do
  [ -f "$controller/cgroup.procs" ] && mkdir -p "$controller$CGROUP_ROOT"
done
if [ -f "/sys/fs/cgroup/cpuset/$CGROUP_ROOT/cpuset.cpus" ]; then
  cat /sys/fs/cgroup/cpuset/cpuset.cpus > "/sys/fs/cgroup/cpuset/$CGROUP_ROOT/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems > "/sys/fs/cgroup/cpuset/$CGROUP_ROOT/cpuset.mems"
fi
start kubelet "$BIN/kubelet" --config "$STATE/config/kubelet.yaml" --kubeconfig "$KUBECONFIG_FILE" \
  --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --root-dir "$STATE/kubelet"
start kube-proxy "$BIN/kube-proxy" --config "$STATE/config/kube-proxy.yaml"
wait_for "node $NODE_NAME" 120 kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s

step "Knative Serving $(basename "$KNATIVE")"
"$CLUSTER_HOME/knative.sh" "$KNATIVE"
touch "$STATE/ready"
step "up; KUBECONFIG=$KUBECONFIG_FILE"
echo "$KUBECONFIG_FILE"
