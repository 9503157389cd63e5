#!/usr/bin/env bash
# Builds the single-node cluster's parts from the Go module proxy into .cache/cluster/ (once per version and
# source; afterwards it returns at once) and prints the folder:
#   kubernetes-<v>/bin/kube        etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy
#                                  and kubectl in one binary (kube/main.go), with a link named after each
#   coredns-<v>/bin/coredns        the cluster's DNS (dns/main.go)
#   kubernetes-<v>/images/pause.tar the pod sandbox image (kube/pause)
#   knative-serving-<v>/bin/       controller, webhook, autoscaler, activator, queue (Knative's own commands)
#   knative-serving-<v>/images/    one image archive per command, dev.local/knative-serving/<cmd>:<v>
#   knative-serving-<v>/serving-core.yaml  the release manifest (CRDs, RBAC, config maps, deployments, webhooks)
#                                  rendered from the module's config/ with those images
# Needs Go (on PATH or /usr/local/go/bin), umoci and skopeo. The module and build caches live in .cache/go, so a
# changed version or source recompiles only what changed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/.cache/cluster
command -v go > /dev/null || PATH=$PATH:/usr/local/go/bin
for tool in go umoci skopeo; do
  command -v "$tool" > /dev/null || { echo "cluster/build.sh: $tool is missing (apt-get install umoci skopeo; Go from go.dev/dl)" >&2; exit 1; }
done
export GOPATH=$ROOT/.cache/go GOCACHE=$ROOT/.cache/go/build GOFLAGS=-mod=readonly GOTOOLCHAIN=local CGO_ENABLED=0
BUILD_FLAGS="$GOFLAGS CGO_ENABLED=$CGO_ENABLED $(go env GOVERSION)"

K8S=$(awk '$1 == "k8s.io/kubernetes" {print $2}' "$HERE/kube/go.mod")
COREDNS=$(awk 'NF > 1 && $(NF-1) == "github.com/coredns/coredns" {print $NF}' "$HERE/dns/go.mod")
KNATIVE=$(awk 'NF > 1 && $(NF-1) == "knative.dev/serving" {print $NF}' "$HERE/knative/go.mod")
KUBE_OUT=$OUT/kubernetes-$K8S
DNS_OUT=$OUT/coredns-$COREDNS
KNATIVE_OUT=$OUT/knative-serving-$KNATIVE

# The stamp names the sources and flags a build came from; a folder with another stamp is rebuilt.
stamp() { (cd "$HERE" && cat "$@" && echo "$BUILD_FLAGS") | sha256sum | cut -c1-16; }

# image <ref> <archive> <binary> <user>: a one-layer image holding the static binary as its entrypoint.
image() {
  local ref=$1 archive=$2 binary=$3 user=$4 work name
  work=$(mktemp -d) name=$(basename "$binary")
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:img"
  umoci unpack --image "$work/oci:img" "$work/bundle" > /dev/null
  install -D -m 0755 "$binary" "$work/bundle/rootfs/ko-app/$name"
  install -d -m 1777 "$work/bundle/rootfs/tmp"
  umoci repack --image "$work/oci:img" "$work/bundle"
  umoci config --image "$work/oci:img" --config.entrypoint "/ko-app/$name" --config.user "$user" \
    --config.env PATH=/ko-app --os linux --architecture amd64
  rm -f "$archive.tmp"
  skopeo copy -q "oci:$work/oci:img" "docker-archive:$archive.tmp:$ref"
  mv "$archive.tmp" "$archive"
  rm -rf "$work"
}

build_kubernetes() {
  local s; s=$(stamp kube/go.mod kube/go.sum kube/main.go kube/pause/main.go)
  [ "$(cat "$KUBE_OUT/stamp" 2>/dev/null)" = "$s" ] && return
  echo "cluster/build.sh: building Kubernetes $K8S (etcd and six components in one binary; first time: minutes)" >&2
  rm -rf "$KUBE_OUT" && mkdir -p "$KUBE_OUT/bin" "$KUBE_OUT/images"
  local v=k8s.io/component-base/version minor=${K8S#v1.}
  minor=${minor%%.*}
  # The version the components report (kubectl version, the Node's kubeletVersion, discovery): Knative refuses a
  # server older than its minimum, and an unstamped build says v0.0.0-master.
  (cd "$HERE/kube" && go build -trimpath -ldflags "-s -w -X $v.gitVersion=$K8S -X $v.gitMajor=1 -X $v.gitMinor=$minor \
      -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z" -o "$KUBE_OUT/bin/kube" . \
    && go build -trimpath -ldflags "-s -w" -o "$KUBE_OUT/bin/pause" ./pause) >&2
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    ln -s kube "$KUBE_OUT/bin/$c"
  done
  image "dev.local/pause:$K8S" "$KUBE_OUT/images/pause.tar" "$KUBE_OUT/bin/pause" 65535:65535 >&2
  echo "$s" > "$KUBE_OUT/stamp"
}

build_dns() {
  local s; s=$(stamp dns/go.mod dns/go.sum dns/main.go)
  [ "$(cat "$DNS_OUT/stamp" 2>/dev/null)" = "$s" ] && return
  echo "cluster/build.sh: building CoreDNS $COREDNS (first time: minutes)" >&2
  rm -rf "$DNS_OUT" && mkdir -p "$DNS_OUT/bin"
  (cd "$HERE/dns" && go build -trimpath -ldflags "-s -w" -o "$DNS_OUT/bin/coredns" .) >&2
  echo "$s" > "$DNS_OUT/stamp"
}

build_knative() {
  local s; s=$(stamp knative/go.mod knative/go.sum knative/tools.go)
  [ "$(cat "$KNATIVE_OUT/stamp" 2>/dev/null)" = "$s" ] && return
  echo "cluster/build.sh: building Knative Serving $KNATIVE (five commands; first time: minutes)" >&2
  rm -rf "$KNATIVE_OUT" && mkdir -p "$KNATIVE_OUT/bin" "$KNATIVE_OUT/images"
  local cmds="controller webhook autoscaler activator queue"
  (cd "$HERE/knative" && go build -trimpath -ldflags "-s -w" -o "$KNATIVE_OUT/bin/" \
      $(for c in $cmds; do echo "knative.dev/serving/cmd/$c"; done)) >&2
  for c in $cmds; do
    # ko's non-root user, as Knative's own images run (their deployments ask for runAsNonRoot)
    image "dev.local/knative-serving/$c:$KNATIVE" "$KNATIVE_OUT/images/$c.tar" "$KNATIVE_OUT/bin/$c" 65532:65532 >&2
  done
  echo "$s" > "$KNATIVE_OUT/stamp"
}

# serving-core.yaml as Knative's release makes it: knative.dev/networking's CRDs and config-network and
# knative.dev/caching's Image CRD (symlinks in the serving repository, which module zips leave out) and serving's
# config/core/, in path order, ko:// image references replaced by the images above. Rendered at every call (it
# takes a moment), so a change here needs no rebuild.
render_release() {
  local serving networking caching
  serving=$(cd "$HERE/knative" && go list -m -f '{{.Dir}}' knative.dev/serving)
  networking=$(cd "$HERE/knative" && go list -m -f '{{.Dir}}' knative.dev/networking)
  caching=$(cd "$HERE/knative" && go list -m -f '{{.Dir}}' knative.dev/caching)
  # config-network after serving's namespace (config/core/100-namespace.yaml), which it goes into
  for f in "$networking"/config/{certificate,domain-claim,ingress,serverlessservice}.yaml "$caching/config/image.yaml" \
           $(cd "$serving" && find config/core -name '*.yaml' | LC_ALL=C sort | sed "s|^|$serving/|") \
           "$networking/config/config-network.yaml"; do
    echo "---"
    echo "# $(basename "$(dirname "$f")")/$(basename "$f")"
    sed -E "s|ko://knative.dev/serving/cmd/([a-z-]+)|dev.local/knative-serving/\1:$KNATIVE|" "$f"
  done
}

build_kubernetes
build_dns
build_knative
render_release > "$KNATIVE_OUT/serving-core.yaml.tmp"
mv "$KNATIVE_OUT/serving-core.yaml.tmp" "$KNATIVE_OUT/serving-core.yaml"
echo "$OUT"
