package io.quiver.bench.startup;

import io.quiver.bench.load.OpenAiClient;
import io.quiver.bench.load.Outcome;
import io.quiver.bench.load.RequestSpec;
import io.quiver.bench.load.Route;
import io.quiver.bench.results.ResultsStore;
import io.quiver.bench.results.SmallSample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench startup}: process start → ready (readiness probe 200) → first answer, N times, per phase. */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = "Starts the packaged server N times; process start → ready → first answered request")
public final class StartupCommand implements Callable<Integer> {

    @Option(names = "--runs", defaultValue = "5")
    int runs;

    @Option(names = "--jar", defaultValue = "runtime/target/quarkus-app/quarkus-run.jar")
    Path jar;

    @Option(names = "--java", defaultValue = "${java.home}/bin/java")
    Path java;

    @Option(names = "--port", defaultValue = "18080")
    int port;

    @Option(names = "--jvm-opt", description = "JVM option, repeatable (e.g. -Dquiver.models.x.path=...)")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--arg", description = "Application argument, repeatable")
    List<String> args = new ArrayList<>();

    @Option(names = "--env", description = "KEY=VALUE, repeatable")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--route", defaultValue = "embeddings", description = "First request: chat | completions | embeddings | images")
    String route;

    @Option(names = "--model", description = "Model for the first request")
    String model;

    @Option(names = "--ready-path", defaultValue = ServerProcess.READY_PATH, description = "Readiness probe path")
    String readyPath;

    @Option(names = "--timeout", defaultValue = "120s")
    String timeout;

    @Option(names = "--results", defaultValue = ResultsStore.DEFAULT_ROOT)
    Path results;

    @Override
    public Integer call() throws Exception {
        Route r = Route.valueOf(route.toUpperCase());
        RequestSpec first = new RequestSpec(r, model, false, 8, "64x64", 2);
        List<Map<String, Double>> measured = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Map<String, Double> run = once(r, first);
            System.out.printf("run %d: %s%n", i + 1, run);
            if (run.isEmpty()) {
                return 1;
            }
            measured.add(run);
        }
        Map<String, List<Double>> byKey = new TreeMap<>();
        measured.forEach(run -> run.forEach((k, v) -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(v)));
        Map<String, SmallSample> summary = new LinkedHashMap<>();
        byKey.forEach((k, v) -> summary.put(k, SmallSample.of(v)));
        summary.forEach((k, s) -> System.out.printf("%-24s median %8.1f ms  p90 %8.1f ms%n", k, s.median(), s.p90()));
        StartupResult result = new StartupResult("startup", String.join(" ", commandLine()), r.name().toLowerCase(),
                measured, summary);
        System.out.println("wrote " + new ResultsStore(results).write("startup", result));
        return 0;
    }

    private Map<String, Double> once(Route r, RequestSpec first) throws Exception {
        try (ServerProcess server = ServerProcess.start(java, jar, port, jvmOptions, args, env)) {
            Duration limit = io.quiver.bench.load.LoadCommand.Durations.parse(timeout);
            long ready = server.awaitReady(limit, readyPath);
            if (ready < 0) {
                System.err.println("server not ready; last log lines:");
                List<String> log = server.log();
                log.subList(Math.max(0, log.size() - 20), log.size()).forEach(System.err::println);
                return Map.of();
            }
            Outcome answer = new OpenAiClient(server.base(), env.get("QUIVER_API_KEY"), limit)
                    .call(r, first.body("Hello, how are you?"), false);
            long answered = server.sinceStartNanos();
            Map<String, Double> run = new LinkedHashMap<>();
            run.put("ready", ready / 1e6);
            run.put("first_answer", answered / 1e6);
            run.put("first_request", answer.e2eNanos() / 1e6);
            if (!answer.ok()) {
                System.err.println("first request failed: " + answer.error());
            }
            StartupPhases.fromMetrics(server.get("/q/metrics")).forEach((k, v) -> run.put("metric." + k, v));
            StartupPhases.fromLog(server.log()).forEach((k, v) -> run.put("log." + k, v));
            return run;
        }
    }

    private List<String> commandLine() {
        List<String> c = new ArrayList<>(jvmOptions);
        c.add("-jar");
        c.add(jar.toString());
        c.addAll(args);
        return c;
    }
}
