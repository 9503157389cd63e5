package io.quiver.bench.knative;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request from zero, taken apart: when each step happened, on this machine's clock. Kubernetes' steps come from
 * watches (stamped when the event arrived); the JVM's start and Quiver's ready come from Quiver's own log lines
 * as the container runtime stamped them (nanoseconds, CRI log format).
 */
final class ColdStart {
    final Map<String, Instant> steps = new LinkedHashMap<>();

    private static final Pattern READY = Pattern.compile(
            "^(\\S+) .*startup phase ready: (\\d+) ms", Pattern.MULTILINE);
    private static final Pattern LAUNCH = Pattern.compile("^(\\S+) .*startup phase launch", Pattern.MULTILINE);

    /**
     * @param sent when the request left
     * @param deployments a watch on the revision's Deployment
     * @param pods a watch on the revision's pods
     */
    static ColdStart of(Instant sent, KubeWatch deployments, KubeWatch pods, Cluster cluster, Instant firstByte)
            throws IOException, InterruptedException {
        ColdStart c = new ColdStart();
        c.steps.put("request sent", sent);
        c.steps.put("Deployment scaled to 1", deployments.await("scale-up", Duration.ofSeconds(5),
                e -> !e.at().isBefore(sent) && e.object().at("/spec/replicas").asInt() >= 1).at());
        KubeWatch.Event created = pods.await("pod created", Duration.ofSeconds(5),
                e -> !e.at().isBefore(sent) && e.type().equals("ADDED"));
        String pod = created.name();
        c.steps.put("pod created", created.at());
        c.steps.put("pod scheduled", pods.await("pod scheduled", Duration.ofSeconds(5),
                e -> e.name().equals(pod) && !e.object().at("/spec/nodeName").asText().isEmpty()).at());
        c.steps.put("containers running (kubelet)", pods.await("containers running", Duration.ofSeconds(5),
                e -> e.name().equals(pod) && running(e.object(), "quiver")).at());
        String log = cluster.kubectl("logs", pod, "-c", "quiver", "--timestamps");
        Matcher ready = READY.matcher(log);
        Matcher launch = LAUNCH.matcher(log);
        if (!ready.find() || !launch.find()) {
            throw new AssertionError("no startup phase lines in the pod's log:\n" + log);
        }
        Instant quiverReady = Instant.parse(ready.group(1));
        c.steps.put("JVM started", quiverReady.minusMillis(Long.parseLong(ready.group(2))));
        c.steps.put("Quiver main()", Instant.parse(launch.group(1)));
        c.steps.put("Quiver ready", quiverReady);
        // the kubelet's own probe of queue-proxy: seconds after the activator's probe let the first request in
        c.steps.put("pod Ready (kubelet)", pods.await("pod ready", Duration.ofSeconds(60),
                e -> e.name().equals(pod) && condition(e.object(), "Ready")).at());
        c.steps.put("first byte", firstByte);
        return c;
    }

    static boolean running(JsonNode pod, String container) {
        for (JsonNode s : pod.at("/status/containerStatuses")) {
            if (s.path("name").asText().equals(container) && s.at("/state/running").isObject()) {
                return true;
            }
        }
        return false;
    }

    static boolean condition(JsonNode object, String type) {
        for (JsonNode c : object.at("/status/conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c.path("status").asText().equals("True");
            }
        }
        return false;
    }

    long millis(String from, String to) {
        return Duration.between(steps.get(from), steps.get(to)).toMillis();
    }

    /** Each step, in the order they happened, in milliseconds after the request was sent and after the step before. */
    String table() {
        StringBuilder out = new StringBuilder("step | ms after request | ms after previous step\n");
        Instant first = steps.get("request sent");
        Instant previous = first;
        for (Map.Entry<String, Instant> s : steps.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList()) {
            out.append(String.format("%s | %d | %d%n", s.getKey(), Duration.between(first, s.getValue()).toMillis(),
                    Duration.between(previous, s.getValue()).toMillis()));
            previous = s.getValue();
        }
        return out.toString();
    }
}
