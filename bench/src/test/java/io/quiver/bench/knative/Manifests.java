package io.quiver.bench.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.bench.kpa.KpaSettings;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The repository's Knative manifests as this single-node cluster runs them. Two changes, and nothing else: the
 * image is the one built here and loaded into containerd; the CPU request is 500m (the node has 2 cores, Knative's
 * own pods ask for 0.6 of them, and a pod's queue-proxy adds 25m to whatever the manifest asks: a request of 2 fits
 * no 2-core node). The tests add what they say: the tiny chat model beside MiniLM ({@link #withTinyChat}), a model
 * folder where this node's volume holds it ({@link #setEnv}).
 */
final class Manifests {
    static final String IMAGE = "dev.local/quiver:e2e";
    static final String CPU_REQUEST = "500m";

    private Manifests() {
    }

    /** The manifest, parsed by kubectl itself, with the changes above. */
    static ObjectNode forCluster(Cluster cluster, String file) throws IOException, InterruptedException {
        Path path = cluster.root.resolve(file);
        ObjectNode service = (ObjectNode) Cluster.JSON.readTree(
                cluster.kubectl("create", "--dry-run=client", "-o", "json", "-f", path.toString()));
        ObjectNode container = (ObjectNode) service.at("/spec/template/spec/containers/0");
        container.put("image", IMAGE);
        ((ObjectNode) container.at("/resources/requests")).put("cpu", CPU_REQUEST);
        return service;
    }

    /** The tiny chat model served beside MiniLM, so a chat stream can be tested. */
    static ObjectNode withTinyChat(ObjectNode service) {
        setEnv(service, "QUIVER_MODELS_TINY_RANDOM_DEEPSEEK_R1_PATH", "embedded:tiny-random-deepseek-r1");
        return service;
    }

    /** Sets one variable of Quiver's container, replacing the manifest's value if it has one. */
    static void setEnv(ObjectNode service, String name, String value) {
        ArrayNode env = (ArrayNode) service.at("/spec/template/spec/containers/0/env");
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).path("name").asText().equals(name)) {
                env.remove(i);
                break;
            }
        }
        env.addObject().put("name", name).put("value", value);
    }

    static String revisionName(JsonNode service) {
        return service.at("/spec/template/metadata/name").asText();
    }

    static int containerConcurrency(JsonNode service) {
        return service.at("/spec/template/spec/containerConcurrency").asInt();
    }

    /**
     * The simulator's settings for a revision: its autoscaling annotations over Knative's defaults (the
     * cluster-wide ones the test leaves as they are: panic threshold 200 %, burst capacity 211, scale rates).
     */
    static KpaSettings kpaSettings(JsonNode service) {
        JsonNode a = service.at("/spec/template/metadata/annotations");
        double target = a.path("autoscaling.knative.dev/target").asDouble(0);
        double utilization = a.path("autoscaling.knative.dev/target-utilization-percentage").asDouble(70) / 100;
        double window = seconds(a.path("autoscaling.knative.dev/window").asText("60s"));
        double panicPct = a.path("autoscaling.knative.dev/panic-window-percentage").asDouble(10);
        double panicThreshold = a.path("autoscaling.knative.dev/panic-threshold-percentage").asDouble(200);
        int min = a.path("autoscaling.knative.dev/min-scale").asInt(0);
        int max = a.path("autoscaling.knative.dev/max-scale").asInt(0);
        double delay = seconds(a.path("autoscaling.knative.dev/scale-down-delay").asText("0s"));
        double retention = seconds(a.path("autoscaling.knative.dev/scale-to-zero-pod-retention-period").asText("0s"));
        int initial = a.path("autoscaling.knative.dev/initial-scale").asInt(1);
        int activation = a.path("autoscaling.knative.dev/activation-scale").asInt(1);
        return KpaSettings.defaults(containerConcurrency(service)).withTarget(target, utilization)
                .withWindows(window, panicPct, panicThreshold).withScaleBounds(min, max)
                .withDelays(delay, retention, initial, activation);
    }

    /** A Go duration of whole units as Knative's annotations write them: 10s, 5m, 1h. */
    static double seconds(String duration) {
        double n = Double.parseDouble(duration.replaceAll("[a-z]+$", ""));
        return switch (duration.replaceAll("^[0-9.]+", "")) {
            case "s" -> n;
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "ms" -> n / 1000;
            default -> throw new IllegalArgumentException("duration " + duration);
        };
    }
}
