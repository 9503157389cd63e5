package io.quiver.runtime.deployment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.configuration.DurationConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A Knative pod's termination grace is its revision's timeoutSeconds, and the kubelet counts the preStop hook in it:
 * Quiver's preStop waits on queue-proxy's /wait-for-drain, which returns only after 30 s without a new request
 * (queue-proxy's fixed drain period; QueueProxyIT measures it). Quiver's own drain must fit in what is left.
 */
class QueueProxyDrainBudgetTest {
    /** queue-proxy's drainSleepDuration (knative.dev/serving pkg/queue/sharedmain), not configurable. */
    static final Duration QUEUE_PROXY_DRAIN = Duration.ofSeconds(30);
    /** Quiver's own: after the grace, what still runs is cut off and answered within 2 s; and a little slack. */
    static final Duration AFTER_GRACE = Duration.ofSeconds(5);

    static boolean fits(Duration grace, long timeoutSeconds) {
        return QUEUE_PROXY_DRAIN.plus(grace).plus(AFTER_GRACE).toSeconds() <= timeoutSeconds;
    }

    @Test
    void everyKnativeServicesDrainFitsAfterQueueProxys() throws IOException {
        Path knative = KServeManifestsTest.DEPLOYMENT.resolve("knative");
        List<Path> files;
        try (Stream<Path> list = Files.list(knative)) {
            files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        int checked = 0;
        for (Path file : files) {
            for (JsonNode doc : StrictManifests.YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())
                    .readAll()) {
                JsonNode spec = doc.at("/spec/template/spec");
                if (!doc.path("kind").asText().equals("Service") || spec.isMissingNode()) {
                    continue;
                }
                long timeout = spec.path("timeoutSeconds").asLong(300); // Knative's default revision timeout
                for (JsonNode env : spec.at("/containers/0/env")) {
                    if (env.path("name").asText().equals("QUIVER_SHUTDOWN_GRACE")) {
                        Duration grace = new DurationConverter().convert(env.path("value").asText());
                        assertTrue(fits(grace, timeout), file.getFileName() + ": QUIVER_SHUTDOWN_GRACE " + grace
                                + " + queue-proxy's " + QUEUE_PROXY_DRAIN.toSeconds() + " s drain + "
                                + AFTER_GRACE.toSeconds() + " s > timeoutSeconds " + timeout);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked >= 4, "Knative Services with QUIVER_SHUTDOWN_GRACE: " + checked);
    }
}
