package io.quiver.bench.startup;

import io.quiver.bench.load.LoadCommand;
import io.quiver.bench.load.OpenAiClient;
import io.quiver.bench.load.Outcome;
import io.quiver.bench.load.RequestSpec;
import io.quiver.bench.load.Route;
import io.quiver.bench.results.ResultsStore;
import io.quiver.bench.results.SmallSample;
import java.net.URI;
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

/**
 * {@code bench startup}: process start → ready (readiness probe 200) → first answer, N times, per phase; the
 * packaged Quiver by default, or with {@code --command} any server that answers OpenAI requests (a peer: only
 * ready and first answer, it reports no phases).
 */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = "Starts the packaged server (or --command, a peer) N times; process start → ready → first "
                + "answered request")
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

    @Option(names = "--command", description = "A peer server instead of Quiver: its whole command line in one "
            + "value (split on whitespace) or one --command per argument; " + PeerCommand.PORT + " becomes --port")
    List<String> command = new ArrayList<>();

    @Option(names = "--route", defaultValue = "embeddings", description = "First request: chat | completions | embeddings | images")
    String route;

    @Option(names = "--model", description = "Model for the first request")
    String model;

    @Option(names = "--max-tokens", defaultValue = "8",
            description = "Tokens the first chat or completions request asks for")
    int maxTokens;

    @Option(names = "--ready-path", description = "Readiness probe path (default " + ServerProcess.READY_PATH
            + ", with --command " + StartupCommand.PEER_READY_PATH + ")")
    String readyPath;

    @Option(names = "--prime", description = "One unmeasured start first (fills a read-write graph cache in a "
            + "cache folder the runs share: --jvm-opt -Dquiver.cache-dir=...)")
    boolean prime;

    @Option(names = "--label", description = "The server and model in the report (default: server and --model)")
    String label;

    @Option(names = "--precision", defaultValue = "",
            description = "The weights' precision, for the report (fp32, fp16, q4, F16, Q4_1, ...)")
    String precision;

    @Option(names = "--graph-cache", description = "The graph cache's state, for the report (default: from "
            + "-Dquiver.graph-cache or QUIVER_GRAPH_CACHE, 'filled' with --prime; none for a peer)")
    String graphCache;

    @Option(names = "--drop-caches", description = "Empty the kernel's page cache before each measured start, as on a "
            + "node that never read the image or the model (needs root; see PageCache)")
    boolean dropCaches;

    @Option(names = "--mapped-under", description = "A folder whose files' mapped pages count as the model's in "
            + "rss_model_mb (the model folder, the graph cache), repeatable")
    List<Path> mappedUnder = new ArrayList<>();

    @Option(names = "--timeout", defaultValue = "120s")
    String timeout;

    @Option(names = "--results", defaultValue = ResultsStore.DEFAULT_ROOT)
    Path results;

    /** llama-server's and vLLM's: 200 once the model is loaded. */
    static final String PEER_READY_PATH = "/health";

    @Override
    public Integer call() throws Exception {
        Route r = Route.valueOf(route.toUpperCase());
        RequestSpec first = new RequestSpec(r, model, false, maxTokens, "64x64", 2);
        PeerCommand peer = command.isEmpty() ? null : PeerCommand.parse(command, port);
        String server = peer == null ? "Quiver" : peer.server();
        String name = label != null ? label : model == null ? server : server + " " + model;
        String cache = graphCache != null ? graphCache : peer == null ? graphCache(jvmOptions, env, prime) : "";
        if (prime) {
            Map<String, Double> unmeasured = once(peer, r, first);
            System.out.printf("%s, unmeasured first start: %s%n", name, unmeasured);
            if (unmeasured.isEmpty()) {
                return 1;
            }
        }
        List<Map<String, Double>> measured = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            if (dropCaches) {
                PageCache.drop();
            }
            Map<String, Double> run = once(peer, r, first);
            System.out.printf("%s, run %d: %s%n", name, i + 1, run);
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
        StartupResult result = new StartupResult("startup", name, server, precision, cache, dropCaches ? "cold" : "warm",
                String.join(" ", peer == null ? commandLine() : peer.argv()), r.name().toLowerCase(), measured,
                summary);
        System.out.println("wrote " + new ResultsStore(results).write("startup", result));
        return 0;
    }

    /** One start: the measured times, or an empty map (with the server's last lines on stderr) when it failed. */
    private Map<String, Double> once(PeerCommand peer, Route r, RequestSpec first) throws Exception {
        URI base = URI.create("http://127.0.0.1:" + port);
        try (ServerProcess server = peer == null ? ServerProcess.start(java, jar, port, jvmOptions, args, env)
                : ServerProcess.startCommand(peer.argv(), base, env)) {
            Duration limit = LoadCommand.Durations.parse(timeout);
            long ready = server.awaitReady(limit, readyPath != null ? readyPath
                    : peer == null ? ServerProcess.READY_PATH : PEER_READY_PATH);
            if (ready < 0) {
                return failed(server, "server not ready");
            }
            Outcome answer = new OpenAiClient(server.base(), peer == null ? env.get("QUIVER_API_KEY") : null, limit)
                    .call(r, first.body("Hello, how are you?"), false);
            long answered = server.sinceStartNanos();
            if (!answer.ok()) {
                return failed(server, "first request failed: " + answer.error());
            }
            Map<String, Double> run = new LinkedHashMap<>();
            run.put("ready", ready / 1e6);
            run.put("first_answer", answered / 1e6);
            run.put("first_request", answer.e2eNanos() / 1e6);
            run.putAll(residency(server));
            if (peer == null) {
                run.putAll(StartupPhases.breakdown(server.timedLog()));
                StartupPhases.fromMetrics(server.get("/q/metrics")).forEach((k, v) -> run.put("metric." + k, v));
                StartupPhases.fromLog(server.log()).forEach((k, v) -> run.put("log." + k, v));
            }
            return run;
        }
    }

    /** The server's memory once it answered; none where /proc cannot tell (not Linux). */
    private Map<String, Double> residency(ServerProcess server) {
        try {
            return Residency.of(server.pid(), mappedUnder.stream().map(p -> p.toAbsolutePath().normalize()).toList());
        } catch (java.io.IOException e) {
            System.err.println("no memory figures: " + e);
            return Map.of();
        }
    }

    private static Map<String, Double> failed(ServerProcess server, String why) {
        System.err.println(why + "; last log lines:");
        List<String> log = server.log();
        log.subList(Math.max(0, log.size() - 20), log.size()).forEach(System.err::println);
        return Map.of();
    }

    /** Quiver's graph-cache mode as these runs meet it: the last -D option, else the environment, else the default. */
    static String graphCache(List<String> jvmOptions, Map<String, String> env, boolean prime) {
        String mode = env.getOrDefault("QUIVER_GRAPH_CACHE", "read-write");
        for (String option : jvmOptions) {
            if (option.startsWith("-Dquiver.graph-cache=")) {
                mode = option.substring("-Dquiver.graph-cache=".length());
            }
        }
        return prime && mode.equals("read-write") ? "filled" : mode;
    }

    private List<String> commandLine() {
        List<String> c = new ArrayList<>(jvmOptions);
        c.add("-jar");
        c.add(jar.toString());
        c.addAll(args);
        return c;
    }
}
