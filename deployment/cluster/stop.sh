#!/usr/bin/env bash
# Stops what start.sh started and leaves the machine as it was: every process ended by its PID (the kubelet first,
# then every process in the pods' cgroups, containerd's shims, containerd and the control plane), every mount under
# the state folder unmounted, the pods' cgroups removed, the network namespace deleted (with it the link, the
# bridge, the pods' veths and every iptables chain kube-proxy and the kubelet made), the state folder removed.
# Idempotent: with nothing started it does nothing.
#   deployment/cluster/stop.sh
set -uo pipefail
source "$(dirname "$0")/env.sh"
[ "$(id -u)" = 0 ] || { echo "cluster/stop.sh: needs root" >&2; exit 1; }

# A PID still names the process it was written for only if its command line still mentions the state folder or
# the component (PIDs are reused).
ours() { { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -q -e "$STATE" -e "$2"; }
stop_daemon() { # <name> <signal>
  local pid
  pid=$(cat "$PIDS/$1" 2>/dev/null) || return 0
  ours "$pid" "$1" && kill "-$2" "$pid" 2>/dev/null
}
pods_processes() {
  cat /sys/fs/cgroup/pids/"$CGROUP_ROOT"/cgroup.procs /sys/fs/cgroup/pids/"$CGROUP_ROOT"/*/cgroup.procs \
      $(find /sys/fs/cgroup/pids/"$CGROUP_ROOT" -mindepth 2 -name cgroup.procs 2>/dev/null) 2>/dev/null | sort -u
}
# Processes that name the state folder on their command line: the daemons and containerd's shims.
state_processes() {
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] && continue
    { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null | grep -q -- "$STATE/" && echo "${p#/proc/}"
  done
}

if [ -d "$PIDS" ]; then
  stop_daemon kubelet KILL
  for _ in 1 2 3; do
    for pid in $(pods_processes); do kill -KILL "$pid" 2>/dev/null; done
    sleep 0.2
  done
  for shim in $(find "$STATE/containerd/state" -name shim.pid 2>/dev/null); do
    pid=$(cat "$shim") && ours "$pid" containerd-shim && kill -KILL "$pid" 2>/dev/null
  done
  for d in kube-proxy containerd kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_daemon "$d" TERM; done
  for _ in $(seq 1 50); do [ -z "$(state_processes)" ] && break; sleep 0.2; done
  for pid in $(state_processes); do kill -KILL "$pid" 2>/dev/null; done
fi
for pid in $(pods_processes); do kill -KILL "$pid" 2>/dev/null; done

# Mounts under the state folder, deepest first: container root file systems, pod volumes, shm, pod namespaces.
for _ in 1 2 3; do
  mounts=$(awk -v s="$STATE/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | awk '{print length, $0}' \
    | sort -rn | cut -d' ' -f2-)
  [ -z "$mounts" ] && break
  for m in $mounts; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
done

for controller in /sys/fs/cgroup/*/; do
  [ -d "$controller$CGROUP_ROOT" ] || continue
  for _ in $(seq 1 25); do
    find "$controller$CGROUP_ROOT" -depth -type d -exec rmdir {} + 2>/dev/null
    [ -d "$controller$CGROUP_ROOT" ] || break
    sleep 0.2
  done
  [ -d "$controller$CGROUP_ROOT" ] && echo "cluster/stop.sh: cgroup $controller$CGROUP_ROOT still busy" >&2
done

[ -e "/run/netns/$NETNS" ] && ip netns delete "$NETNS"
ip link show "$HOST_IF" > /dev/null 2>&1 && ip link delete "$HOST_IF" 2>/dev/null
# The kubelet links every container's log into /var/log/containers, whatever its pod log folder.
find /var/log/containers -maxdepth 1 -type l -lname "$STATE/*" -delete 2>/dev/null
# What start.sh found absent and the CNI library, containerd's shims, the kubelet or `ip netns` created.
if [ -f "$STATE/created" ]; then
  while read -r d; do
    if [ "$d" = /run/netns ]; then  # other namespaces may have come meanwhile: only an empty one goes
      [ -z "$(ls -A "$d" 2>/dev/null)" ] && { mountpoint -q "$d" && umount "$d"; rmdir "$d"; }
    else
      rm -rf "$d"
    fi
  done < "$STATE/created"
fi
rm -rf "$STATE"
left=$(state_processes)
[ -z "$left" ] || { echo "cluster/stop.sh: processes still running: $left" >&2; exit 1; }
exit 0
