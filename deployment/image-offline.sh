#!/usr/bin/env bash
# Builds the Quiver image with Jib and no Docker daemon, and no access to any outside registry, end to end:
#   1. a registry on the loopback interface (Debian's docker-registry), storage under runtime/target/;
#   2. a stand-in base image "JRE 25" made from the local JDK (jlink) and the few host libraries the JVM,
#      ONNX Runtime and the tokenizer need, pushed there with skopeo (the real base, eclipse-temurin:25-jre,
#      needs Docker Hub);
#   3. the Quarkus Jib build (-Dquarkus.container-image.build=true) pushing the image to that registry (Maven runs
#      online: the Jib extension comes from Maven Central the first time, like any dependency);
#   4. skopeo copies it out to runtime/target/quiver-image.oci.tar (an OCI archive: `podman load`,
#      `skopeo copy oci-archive:... docker://registry/...`, or containerd's `ctr import` take it).
# Needs: apt-get install docker-registry skopeo umoci busybox-static. With registry access none of this is needed: see README.
#   deployment/image-offline.sh [extra Maven args, e.g. -Pgpu]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
PORT=${REGISTRY_PORT:-5055}
REG=127.0.0.1:$PORT
WORK=runtime/target/image-offline
rm -rf "$WORK" && mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

cat > "$WORK/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $WORK/registry
http:
  addr: $REG
YML
docker-registry serve "$WORK/registry.yml" > "$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
trap 'kill $REGISTRY_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://$REG/v2/" > /dev/null && break; sleep 0.1; done

echo "== stand-in base image $REG/quiver-base:25-jre from $JAVA_HOME"
ROOT=$WORK/base-rootfs
# What a JRE image carries (JDK 25 links from its own run-time image, JEP 493).
JRE_MODULES=java.se,jdk.unsupported,jdk.management,jdk.management.jfr,jdk.jfr,jdk.naming.dns,jdk.crypto.cryptoki,jdk.zipfs,jdk.localedata,jdk.charsets,jdk.net,jdk.httpserver,jdk.attach,jdk.jcmd
"$JAVA_HOME/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-header-files --no-man-pages \
  --generate-cds-archive --output "$ROOT/opt/java/openjdk"
mkdir -p "$ROOT/tmp" "$ROOT/etc" "$ROOT/lib64" "$ROOT/lib/x86_64-linux-gnu"
chmod 1777 "$ROOT/tmp"
for lib in libc.so.6 libdl.so.2 libgcc_s.so.1 libm.so.6 libpthread.so.0 librt.so.1 libstdc++.so.6 libz.so.1 \
           ld-linux-x86-64.so.2; do
  cp -L "/lib/x86_64-linux-gnu/$lib" "$ROOT/lib/x86_64-linux-gnu/"
done
ln -sf /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$ROOT/lib64/ld-linux-x86-64.so.2"
# ONNX Runtime 1.29 popen()s `sh -c "echo \`blkid; hostname\`"` when its environment starts and crashes
# (SIGSEGV in fclose) where there is no /bin/sh, as in distroless bases: a static busybox is the shell here.
# It also looks for a CA bundle. Both are in eclipse-temurin:25-jre.
mkdir -p "$ROOT/bin" "$ROOT/etc/ssl/certs" && cp /bin/busybox "$ROOT/bin/sh"
cp -L /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/bin/sh\nquiver:x:10001:10001:quiver:/tmp:/bin/sh\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\nquiver:x:10001:\n' > "$ROOT/etc/group"
umoci init --layout "$WORK/base-oci"
umoci new --image "$WORK/base-oci:25-jre"
umoci unpack --image "$WORK/base-oci:25-jre" "$WORK/base-bundle" > /dev/null
cp -a "$ROOT/." "$WORK/base-bundle/rootfs/"
umoci repack --image "$WORK/base-oci:25-jre" "$WORK/base-bundle"
umoci config --image "$WORK/base-oci:25-jre" --config.env JAVA_HOME=/opt/java/openjdk \
  --config.env PATH=/opt/java/openjdk/bin:/usr/local/bin:/usr/bin:/bin --os linux --architecture amd64
skopeo copy -q --dest-tls-verify=false "oci:$WORK/base-oci:25-jre" "docker://$REG/quiver-base:25-jre"

echo "== Jib build, pushed to $REG"
./mvnw -q -pl runtime -am package -DskipTests \
  -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true \
  -Dquarkus.container-image.registry=$REG -Dquarkus.container-image.insecure=true \
  -Dquarkus.jib.base-jvm-image=$REG/quiver-base:25-jre "$@"

IMAGE=$(curl -s "http://$REG/v2/_catalog" | python3 -c 'import json,sys; print([r for r in json.load(sys.stdin)["repositories"] if r != "quiver-base"][0])')
TAG=$(curl -s "http://$REG/v2/$IMAGE/tags/list" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tags"][0])')
echo "== $IMAGE:$TAG -> runtime/target/quiver-image.oci.tar"
rm -f runtime/target/quiver-image.oci.tar
skopeo copy -q --src-tls-verify=false "docker://$REG/$IMAGE:$TAG" "oci-archive:runtime/target/quiver-image.oci.tar:$IMAGE:$TAG"
skopeo inspect --config "oci-archive:runtime/target/quiver-image.oci.tar" | python3 -c '
import json, sys; c = json.load(sys.stdin)["config"]
print("user:", c.get("User")); print("entrypoint:", c.get("Entrypoint")); print("workdir:", c.get("WorkingDir"))
print("env:", [e for e in c.get("Env", []) if not e.startswith("PATH=")])'
ls -l runtime/target/quiver-image.oci.tar
