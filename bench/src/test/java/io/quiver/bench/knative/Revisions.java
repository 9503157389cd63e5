package io.quiver.bench.knative;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Knative Services and their revisions on the cluster, as the tests wait for them: admitted, Ready, at zero. */
final class Revisions {
    private final Cluster cluster;

    Revisions(Cluster cluster) {
        this.cluster = cluster;
    }

    /** Knative's webhook may take a moment after its pod is ready before it admits anything. */
    void apply(JsonNode object) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                cluster.apply(object);
                return;
            } catch (AssertionError refused) {
                if (System.nanoTime() > deadline || !refused.getMessage().contains("webhook")) {
                    throw refused;
                }
                Thread.sleep(1000);
            }
        }
    }

    /** The Service's controller makes the Revision a moment after the Service is applied. */
    void awaitReady(String revision) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (cluster.kubectlResult("get", "revision", revision).code() != 0) {
            assertTrue(System.nanoTime() < deadline, "no revision " + revision + ": "
                    + cluster.kubectl("get", "ksvc,configuration,revision"));
            Thread.sleep(250);
        }
        cluster.kubectl("wait", "--for=condition=Ready", "revision/" + revision, "--timeout=300s");
    }

    String serviceIp(String revision) throws Exception {
        return cluster.json("get", "service", revision).at("/spec/clusterIP").asText();
    }

    List<JsonNode> pods(String revision) throws Exception {
        List<JsonNode> pods = new ArrayList<>();
        cluster.json("get", "pods", "-l", "serving.knative.dev/revision=" + revision).path("items").forEach(pods::add);
        return pods;
    }

    void awaitZero(String revision, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pods(revision).isEmpty()
                || cluster.json("get", "deployment", revision + "-deployment").at("/spec/replicas").asInt() != 0) {
            assertTrue(System.nanoTime() < deadline, revision + " not at zero within " + timeout + ": "
                    + cluster.kubectl("get", "podautoscaler,pods", "-o", "wide"));
            Thread.sleep(500);
        }
    }

    /** The revision Knative made last for a Service whose template names none (Knative numbers them). */
    String latestCreated(String service) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            String name = cluster.json("get", "ksvc", service).at("/status/latestCreatedRevisionName").asText();
            if (!name.isEmpty()) {
                return name;
            }
            assertTrue(System.nanoTime() < deadline, "no revision of " + service + ": "
                    + cluster.kubectl("get", "ksvc,configuration,revision"));
            Thread.sleep(250);
        }
    }
}
