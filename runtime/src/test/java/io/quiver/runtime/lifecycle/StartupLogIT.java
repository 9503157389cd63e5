package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packaged start as an operator reads it: one line when each model's load starts (with its size) and one when
 * it is warm, phases in the order they happen, and load metrics that time the real load wherever it ran (the
 * preload from main included), not the hand-over of a preloaded model.
 */
class StartupLogIT {
    /** Models the preload from main loads and warms; a chat model is warmed once served with its options. */
    private static final List<String> WARMED_IN_PRELOAD = List.of("all-minilm-l6-v2", "tiny-random-sd");
    /** Log timestamps have milliseconds; the lines sit a few milliseconds outside the timed work. */
    private static final double SLACK = 0.1;

    @Test
    void eachModelSaysWhenItsLoadStartsAndWhenItIsWarmAndTheMetricsTimeTheRealLoad() throws Exception {
        try (ServerProcess server = ServerProcess.start("quiver.device=cpu")) {
            server.awaitReady(ProcessIT.START);
            String metrics = server.get("/q/metrics").body();
            String output = server.output();
            List<String> lines = output.lines().toList();
            double models = sample(metrics, "quiver_startup_seconds", "phase=\"models\"");
            for (String model : ModelSpec.DEFAULTS.keySet()) {
                List<String> loading = lines.stream().filter(l -> l.contains("model " + model + " loading (")).toList();
                List<String> warm = lines.stream().filter(l -> l.contains("model " + model + " warm: ")).toList();
                assertEquals(1, loading.size(), model + ": one line when its load starts\n" + output);
                assertEquals(1, warm.size(), model + ": one line when it is warm\n" + output);
                assertTrue(loading.getFirst().matches(".*\\d[\\d,]* bytes \\(\\d+\\.\\d MB\\) from "
                        + ModelSpec.DEFAULTS.get(model)), loading.getFirst());
                double logged = seconds(time(warm.getFirst()), time(loading.getFirst()));
                double load = sample(metrics, "quiver_model_load_seconds", "model=\"" + model + "\"");
                double warmUp = sample(metrics, "quiver_model_warmup_seconds", "model=\"" + model + "\"");
                assertTrue(load > 0 && warmUp > 0, model + ": load " + load + " s, warm-up " + warmUp + " s");
                // Never more than the span the log shows; for a model warmed in the preload, all of it.
                assertTrue(load + warmUp <= logged + SLACK, model + ": " + load + " + " + warmUp + " s > " + logged
                        + " s between its loading and warm lines");
                if (WARMED_IN_PRELOAD.contains(model)) {
                    assertTrue(load + warmUp >= logged - SLACK, model + ": " + load + " + " + warmUp + " s < "
                            + logged + " s between its loading and warm lines");
                }
                assertTrue(models >= load + warmUp - SLACK / 10, "models phase " + models + " s < " + model + "'s "
                        + (load + warmUp) + " s");
            }
            assertFalse(output.contains("preloaded at launch"), "no second line with other times\n" + output);
            int listening = index(lines, "Listening on");
            assertTrue(index(lines, "startup phase framework") > listening, "framework phase before the framework "
                    + "has started\n" + output);
            assertTrue(index(lines, "startup phase ready") > listening, "ready before Listening on\n" + output);
            assertTrue(index(lines, "startup phase ready") > index(lines, "startup phase models")
                    && index(lines, "startup phase ready") > index(lines, "startup phase framework"), output);
            assertEquals(1, lines.stream().filter(l -> l.contains("startup phase ready")).count(), output);
        }
    }

    @Test
    void whenThePortIsTakenNoFrameworkPhaseIsReported() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
             ServerProcess server = ServerProcess.start("quarkus.http.port=" + taken.getLocalPort())) {
            int status = server.awaitExit(ProcessIT.START);
            String output = server.output();
            assertNotEquals(0, status, output);
            assertTrue(output.contains("in use"), output);
            assertFalse(output.contains("startup phase framework"), output);
            assertFalse(output.contains("startup phase ready"), output);
        }
    }

    private static double sample(String metrics, String name, String label) {
        Matcher m = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        while (m.find()) {
            if (m.group(1).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + name + "{" + label + "} in\n" + metrics);
    }

    private static LocalTime time(String line) {
        return LocalTime.parse(line.substring(0, 12));
    }

    private static double seconds(LocalTime end, LocalTime start) {
        return Duration.between(start, end).toNanos() / 1e9;
    }

    private static int index(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with '" + text + "'");
    }
}
