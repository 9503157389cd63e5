package io.quiver.bench.soak;

import io.quiver.bench.load.ClosedLoop;
import io.quiver.bench.load.LoadCommand.Durations;
import io.quiver.bench.load.OpenAiClient;
import io.quiver.bench.load.PromptSet;
import io.quiver.bench.load.RequestSpec;
import io.quiver.bench.load.Route;
import io.quiver.bench.results.LevelResult;
import io.quiver.bench.results.ResultsStore;
import io.quiver.bench.startup.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench soak}: closed-loop load for a long time (30 min by default) while sampling the server's RSS, heap,
 * threads and open files; exits 1 when any of them grew (see {@link GrowthCheck}). Starts the packaged server
 * itself unless {@code --url} points at a running one ({@code --pid} then enables the /proc readings).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Long load while sampling RSS, heap, threads, open files; fails on growth")
public final class SoakCommand implements Callable<Integer> {

    @Option(names = "--url", description = "A running server (else the packaged one is started)")
    URI url;

    @Option(names = "--pid", defaultValue = "0", description = "With --url: its process id, for /proc readings")
    long pid;

    @Option(names = "--jar", defaultValue = "runtime/target/quarkus-app/quarkus-run.jar")
    Path jar;

    @Option(names = "--port", defaultValue = "18080")
    int port;

    @Option(names = "--jvm-opt")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--env")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--route", defaultValue = "embeddings")
    String route;

    @Option(names = "--model")
    String model;

    @Option(names = "--concurrency", defaultValue = "8")
    int concurrency;

    @Option(names = "--max-tokens", defaultValue = "32")
    int maxTokens;

    @Option(names = "--duration", defaultValue = "30m")
    String duration;

    @Option(names = "--sample-every", defaultValue = "5s")
    String sampleEvery;

    @Option(names = "--min-decode-steps", defaultValue = "0",
            description = "Fail unless the server's chat engines ran at least this many decode steps (0: no bound)")
    long minDecodeSteps;

    @Option(names = "--label", defaultValue = "quiver")
    String label;

    @Option(names = "--results", defaultValue = ResultsStore.DEFAULT_ROOT)
    Path results;

    @Override
    public Integer call() throws Exception {
        ServerProcess started = null;
        URI target = url;
        long processId = pid;
        if (target == null) {
            started = ServerProcess.start(Path.of(System.getProperty("java.home"), "bin", "java"), jar, port,
                    jvmOptions, List.of(), env);
            if (started.awaitReady(Duration.ofMinutes(2)) < 0) {
                started.log().forEach(System.err::println);
                started.close();
                return 2;
            }
            target = started.base();
            processId = started.pid();
        }
        try {
            return soak(target, processId);
        } finally {
            if (started != null) {
                started.close();
            }
        }
    }

    private int soak(URI target, long processId) throws InterruptedException {
        Route r = Route.valueOf(route.toUpperCase());
        RequestSpec spec = new RequestSpec(r, model, r.generates(), maxTokens, "64x64", 2);
        PromptSet prompts = PromptSet.named("short", 9);
        OpenAiClient client = new OpenAiClient(target, env.get("QUIVER_API_KEY"), Duration.ofMinutes(5));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest metrics = HttpRequest.newBuilder(target.resolve("/q/metrics")).timeout(Duration.ofSeconds(5))
                .GET().build();
        List<ProcessSample> samples = new CopyOnWriteArrayList<>();
        Duration total = Durations.parse(duration);
        long every = Durations.parse(sampleEvery).toMillis();
        long t0 = System.nanoTime();
        JvmAllocation allocation = processId > 0 ? JvmAllocation.attach(processId) : null;
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                String text = null;
                try {
                    text = http.send(metrics, HttpResponse.BodyHandlers.ofString()).body();
                } catch (Exception unavailable) {
                    // keep /proc readings
                }
                ProcessSample s = ProcessSampler.sample((System.nanoTime() - t0) / 1e9, processId, text);
                if (allocation != null) {
                    s = s.withAllocatedMb(allocation.megabytes());
                }
                samples.add(s);
                System.out.printf("t=%6.0fs rss %7.1f MB heap %7.1f MB threads %4d files %4d allocated %9.0f MB "
                        + "decode steps %8.0f%n", s.seconds(), s.rssMb(), s.heapMb(), s.threads(), s.openFiles(),
                        s.allocatedMb(), s.decodeSteps());
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        LevelResult load = ClosedLoop.run(concurrency, total, 0, 1,
                i -> client.call(r, spec.body(prompts.get(i)), r.generates()));
        sampler.interrupt();
        sampler.join();
        if (allocation != null) {
            allocation.close();
        }
        GrowthCheck.Verdict verdict = GrowthCheck.defaults().withMinDecodeSteps(minDecodeSteps).check(samples);
        String outcome = verdict.ok() ? "no growth" : "GROWTH: " + String.join("; ", verdict.failures());
        System.out.println(outcome + " " + verdict.growth() + " " + verdict.levels());
        SoakResult result = new SoakResult("soak", label, target.toString(), r.name().toLowerCase(),
                total.toSeconds() / 60.0, outcome, verdict.growth(), verdict.levels(), verdict.failures(), load,
                List.copyOf(samples));
        System.out.println("wrote " + new ResultsStore(results).write("soak", result));
        return verdict.ok() && load.ok() > 0 ? 0 : 1;
    }
}
