package io.quiver.bench.knative;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * The read-only model volume the chat manifests mount (claim {@code quiver-models}), as a platform team
 * pre-provisions one: a PersistentVolume over a folder of this node (hostPath; on a real cluster an NFS share, a
 * cloud disk or a Fluid dataset) and the claim bound to it by name, with no storage class or provisioner.
 */
final class ModelVolume {
    static final String CLAIM = "quiver-models";

    private ModelVolume() {
    }

    static ObjectNode volume(String name, Path folder) {
        ObjectNode pv = Cluster.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PersistentVolume");
        pv.putObject("metadata").put("name", name);
        ObjectNode spec = pv.putObject("spec");
        spec.putObject("capacity").put("storage", "10Gi");
        spec.putArray("accessModes").add("ReadOnlyMany");
        spec.put("persistentVolumeReclaimPolicy", "Retain").put("storageClassName", "");
        spec.putObject("hostPath").put("path", folder.toAbsolutePath().toString()).put("type", "Directory");
        return pv;
    }

    static ObjectNode claim(String volume) {
        ObjectNode pvc = Cluster.JSON.createObjectNode().put("apiVersion", "v1")
                .put("kind", "PersistentVolumeClaim");
        pvc.putObject("metadata").put("name", CLAIM).put("namespace", "default");
        ObjectNode spec = pvc.putObject("spec");
        spec.putArray("accessModes").add("ReadOnlyMany");
        spec.put("storageClassName", "").put("volumeName", volume);
        spec.putObject("resources").putObject("requests").put("storage", "10Gi");
        return pvc;
    }
}
