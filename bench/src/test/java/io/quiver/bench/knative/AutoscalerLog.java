package io.quiver.bench.knative;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Knative's autoscaler decided for one revision, read from its own log (zap JSON; the per-tick lines need
 * {@code loglevel.autoscaler: debug} in config-logging): every tick's observed stable and panic concurrency with
 * the ready pods it counted (pkg/autoscaler/scaling/autoscaler.go), and every decision the KPA reconciler applied
 * (pkg/reconciler/autoscaling/kpa/kpa.go: "PA scale got=…, want=…, desiredPods=…").
 */
record AutoscalerLog(List<Tick> ticks, List<Decision> decisions) {
    record Tick(Instant at, double stable, double panic, double target, int stablePods, int panicPods, int ready) {
        double epochSeconds() {
            return at.getEpochSecond() + at.getNano() / 1e9;
        }
    }

    /** {@code desiredPods}: the decider's count; {@code want}: what the reconciler scaled to (bounds, zero rules). */
    record Decision(Instant at, int ready, int want, int desiredPods) {
    }

    private static final Pattern TICK = Pattern.compile("observed values: stable = ([\\d.]+); panic = ([\\d.]+); "
            + "target = ([\\d.]+) Desired StablePodCount = (\\d+), PanicPodCount = (\\d+), ReadyEndpointCount = (\\d+)");
    private static final Pattern DECISION = Pattern.compile(
            "PA scale got=(-?\\d+), want=(-?\\d+), desiredPods=(-?\\d+)");

    static AutoscalerLog read(Cluster cluster, String revision, Instant since) throws IOException, InterruptedException {
        String log = cluster.kubectl("-n", "knative-serving", "logs", "deployment/autoscaler", "-c", "autoscaler",
                "--since-time=" + since);
        List<Tick> ticks = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>();
        String key = "default/" + revision;
        for (String line : log.lines().toList()) {
            if (!line.startsWith("{") || !line.contains(key)) {
                continue;
            }
            JsonNode entry = Cluster.JSON.readTree(line);
            if (!key.equals(entry.path("knative.dev/key").asText())) {
                continue;
            }
            Instant at = Instant.parse(entry.path("timestamp").asText(entry.path("ts").asText()));
            String message = entry.path("message").asText(entry.path("msg").asText());
            Matcher t = TICK.matcher(message);
            Matcher d = DECISION.matcher(message);
            if (t.find()) {
                ticks.add(new Tick(at, Double.parseDouble(t.group(1)), Double.parseDouble(t.group(2)),
                        Double.parseDouble(t.group(3)), Integer.parseInt(t.group(4)), Integer.parseInt(t.group(5)),
                        Integer.parseInt(t.group(6))));
            } else if (d.find()) {
                decisions.add(new Decision(at, Integer.parseInt(d.group(1)), Integer.parseInt(d.group(2)),
                        Integer.parseInt(d.group(3))));
            }
        }
        return new AutoscalerLog(ticks, decisions);
    }

    /** The decider's count in force at {@code at}: the last decision logged by then (-1 before the first). */
    int desiredAt(Instant at) {
        int desired = -1;
        for (Decision d : decisions) {
            if (d.at().isAfter(at)) {
                break;
            }
            desired = d.desiredPods();
        }
        return desired;
    }

    int maxDesired() {
        return decisions.stream().mapToInt(Decision::desiredPods).max().orElse(-1);
    }
}
