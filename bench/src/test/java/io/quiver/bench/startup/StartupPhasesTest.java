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

    @Test
    void breakdownFromWhenTheLinesCame() {
        List<StartupPhases.Line> log = List.of(
                new StartupPhases.Line(180.5, "09:01:01.300 INFO  [i.q.r.l.Preload] startup phase launch: main "
                        + "entered, preloading [r1] beside the framework's start"),
                new StartupPhases.Line(700.0, "09:01:01.800 INFO  [i.q.r.l.ModelRegistry] model r1 loading (preload "
                        + "from main): chat, 1,899,784,358 bytes (1899.8 MB) from /m"),
                new StartupPhases.Line(905.5, "09:01:02.003 INFO  [io.quarkus] quiver-runtime 0.1.0 on JVM (powered by "
                        + "Quarkus 3.33.2) started in 0.720s. Listening on: http://0.0.0.0:18080"),
                new StartupPhases.Line(950.0, "09:01:02.100 INFO  [io.quarkus] Listening on: http://0.0.0.0:18080"),
                new StartupPhases.Line(28_000.0, "09:01:29.000 INFO  [i.q.r.l.ModelRegistry] model r1 warm: loaded in "
                        + "26100 ms, warmed in 1200 ms, on cpu"),
                new StartupPhases.Line(28_001.0, "09:01:29.001 INFO  [i.q.r.l.ModelRegistry] model e warm: loaded in "
                        + "300 ms, warmed in 2500 ms, on cpu"));
        // JVM: up to main(); framework: main() to the first "Listening on"; load and warm-up: the slowest model's.
        assertEquals(Map.of("jvm", 180.5, "framework", 725.0, "model_load", 26_100.0, "warm_up", 2500.0),
                StartupPhases.breakdown(log));
    }

    @Test
    void theLoadsPartsFromItsWarmLine() {
        List<StartupPhases.Line> log = List.of(
                new StartupPhases.Line(3000.0, "model r1 warm: loaded in 2100 ms, warmed in 300 ms, on cpu (runtime "
                        + "90 ms, session 1800 ms, check 120 ms, tokenizer 450 ms, tokenizer-wait 0 ms, engine 30 ms)"),
                new StartupPhases.Line(3001.0, "model e warm: loaded in 300 ms, warmed in 20 ms, on cpu (engine 45 ms)"));
        assertEquals(Map.of("model_load", 2100.0, "warm_up", 300.0, "load.runtime", 90.0, "load.session", 1800.0,
                "load.check", 120.0, "load.tokenizer", 450.0, "load.tokenizer-wait", 0.0, "load.engine", 45.0),
                StartupPhases.breakdown(log));
    }

    @Test
    void noBreakdownOfJvmAndFrameworkWithoutTheLaunchLine() {
        List<StartupPhases.Line> log = List.of(
                new StartupPhases.Line(905.5, "Listening on: http://0.0.0.0:18080"),
                new StartupPhases.Line(1000.0, "model m warm: loaded in 300 ms, warmed in 20 ms, on cpu"));
        assertEquals(Map.of("model_load", 300.0, "warm_up", 20.0), StartupPhases.breakdown(log));
        assertEquals(Map.of(), StartupPhases.breakdown(List.of(new StartupPhases.Line(5, "main: server is listening"))));
    }
}
