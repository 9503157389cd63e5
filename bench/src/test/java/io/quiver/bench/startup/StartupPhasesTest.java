package io.quiver.bench.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupPhasesTest {

    @Test
    void phasesFromTheServerLog() {
        List<String> log = List.of(
                "09:01:02.003 INFO  [i.q.r.l.ModelRegistry] startup phase framework: 812 ms (JVM start to HTTP server up)",
                "09:01:02.500 INFO  [i.q.r.l.ModelRegistry] model m (encoder) loaded in 300 ms, warmed in 20 ms",
                "09:01:02.600 INFO  [i.q.r.l.ModelRegistry] startup phase models: 401 ms (all models loaded and warmed)",
                "09:01:02.601 INFO  [i.q.r.l.ModelRegistry] startup phase ready: 1213 ms (JVM start to ready)");
        assertEquals(Map.of("framework", 812.0, "models", 401.0, "ready", 1213.0), StartupPhases.fromLog(log));
    }

    @Test
    void phasesFromPrometheus() {
        String text = """
                # HELP quiver_startup_seconds Startup time by phase
                # TYPE quiver_startup_seconds gauge
                quiver_startup_seconds{phase="framework",revision="r1"} 0.812
                quiver_startup_seconds{revision="r1",phase="ready"} 1.213
                quiver_requests_running{model="m"} 0.0
                """;
        Map<String, Double> phases = StartupPhases.fromMetrics(text);
        assertEquals(812.0, phases.get("framework"), 1e-9);
        assertEquals(1213.0, phases.get("ready"), 1e-9);
        assertEquals(2, phases.size());
    }
}
