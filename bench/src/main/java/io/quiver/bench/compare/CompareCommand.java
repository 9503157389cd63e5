package io.quiver.bench.compare;

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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench compare}: Quiver against what users would otherwise pick, alternated in one run on one machine.
 * embeddings: HTTP vs langchain4j's in-process MiniLM at concurrency 1 and 8. chat: HTTP completions streams vs
 * llama.cpp (de.kherud:llama) on the same random Qwen2 weights at 1 and 8 streams, and vs a raw in-process ONNX
 * Runtime loop at 1 stream (the server's overhead per token).
 */
@Command(name = "compare", mixinStandardHelpOptions = true, description = "Quiver vs peers, alternated, ratios")
public final class CompareCommand implements Callable<Integer> {

    @Option(names = "--suite", split = ",", defaultValue = "embeddings,chat", description = "embeddings, chat, engines (no server: raw ORT loop vs llama.cpp), "
            + "servers (Quiver vs peer servers over HTTP: llama-server, vLLM, Infinity, Optimum's SD pipeline)")
    List<String> suites;

    @Option(names = "--url", description = "A running server to use instead of starting the packaged one")
    URI url;

    @Option(names = "--jar", defaultValue = "runtime/target/quarkus-app/quarkus-run.jar")
    Path jar;

    @Option(names = "--port", defaultValue = "18080")
    int port;

    @Option(names = "--jvm-opt", description = "Extra server JVM option, repeatable (servers suite: every Quiver it "
            + "starts, before the twin's own)")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--rounds", defaultValue = "3")
    int rounds;

    @Option(names = "--duration", defaultValue = "20s", description = "Per side per round")
    String duration;

    @Option(names = "--embed-concurrency", split = ",", defaultValue = "1,8")
    List<Integer> embedConcurrency;

    @Option(names = "--streams", split = ",", defaultValue = "1,8")
    List<Integer> streams;

    @Option(names = "--image-concurrency", split = ",", defaultValue = "1,2",
            description = "servers suite: images in flight per level (one image per request)")
    List<Integer> imageConcurrency;

    @Option(names = "--long-streams", split = ",", defaultValue = "1,8",
            description = "servers suite: chat streams with long (RAG-sized) prompts; 0 for none")
    List<Integer> longStreams;

    @Option(names = "--long-duration", defaultValue = "30s",
            description = "servers suite: per side per round at a long-prompt level")
    String longDuration;

    @Option(names = "--max-tokens", defaultValue = "32")
    int maxTokens;

    @Option(names = "--shape", defaultValue = "qwen2-0.5b", description = "qwen2-0.5b | tiny")
    String shape;

    @Option(names = "--model-dir", description = "Default: bench/target/models/<shape>-random")
    Path modelDir;

    @Option(names = "--python", description = "Python that generates the model. Default: the fixtures' pinned "
            + "environment (models/fixtures/python-env.sh)")
    Path python;

    @Option(names = "--threads", defaultValue = "0", description = "llama.cpp threads (0: all cores)")
    int threads;

    @Option(names = "--join-streams", split = ",", defaultValue = "8",
            description = "servers suite, chat: short streams running while long prompts join; 0 for none")
    List<Integer> joinStreams;

    @Option(names = "--join-long", defaultValue = "1",
            description = "servers suite, chat: clients sending long prompts back to back during a joins level")
    int joinLong;

    @Option(names = "--prefix-streams", split = ",", defaultValue = "1,8",
            description = "servers suite, chat: streams whose requests carry a ~1,000-token system prompt, each its "
                    + "own (miss) and then all the same (hit); 0 for none")
    List<Integer> prefixStreams;

    @Option(names = "--peers", split = ",",
            defaultValue = "llama-q4_0,genai,genai-spin,llama-q4,llama-f32,llama-f16,infinity,vllm,optimum-sd",
            description = "servers suite: peers in turn (each installed by bench/peers/*.sh): llama-q4_0 and genai "
                    + "(onnxruntime-genai's Generator in process; genai-spin: one stream, both sides spinning) "
                    + "against Quiver on the model-builder export; llama-q4 against the Optimum q4 graph; llama-f16, "
                    + "llama-f32, vllm against fp32; infinity (embeddings); optimum-sd (images)")
    List<String> peers;

    @Option(names = "--chat-model", defaultValue = "smollm2",
            description = "servers suite: smollm2 (the real model) or r1-shape (the random-weight "
                    + "R1-Distill-Qwen-1.5B shape of bench/shapes)")
    String chatModel;

    @Option(names = "--r1-shape", defaultValue = "${env:QUIVER_R1_SHAPE_DIR:-.cache/models/r1-distill-qwen-1.5b-shape}",
            description = "servers suite: the R1 shape's Optimum folder (its -genai and -gguf folders beside it)")
    Path r1Shape;

    @Option(names = "--genai-python", defaultValue = "${env:QUIVER_VENV:-.venv}/bin/python",
            description = "servers suite: the Python with onnxruntime-genai that runs the genai peer")
    Path genaiPython;

    @Option(names = "--peers-dir", defaultValue = ".cache/peers")
    Path peersDir;

    @Option(names = "--smollm2", defaultValue = "${env:QUIVER_SMOLLM2_DIR:-.cache/models/smollm2-135m-instruct}",
            description = "servers suite: Quiver's SmolLM2 folder (model.onnx fp32, model_q4.onnx; its builder "
                    + "export beside it in <folder>-genai)")
    Path smollm2;

    @Option(names = "--peer-port", defaultValue = "18090")
    int peerPort;

    @Option(names = "--start-timeout", defaultValue = "300s", description = "servers suite: per server")
    String startTimeout;

    @Option(names = "--results", defaultValue = ResultsStore.DEFAULT_ROOT)
    Path results;

    private final List<String> notes = new ArrayList<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();
    private final List<TargetCheck> checks = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<PairResult> pairs = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("rounds", Integer.toString(rounds));
        settings.put("duration_per_side", duration);
        settings.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        String started = Instant.now().toString();
        for (String suite : suites) {
            switch (suite) {
                case "embeddings" -> pairs.addAll(embeddings());
                case "chat" -> pairs.addAll(chat(settings));
                case "engines" -> pairs.addAll(engines(settings));
                case "servers" -> pairs.addAll(servers(settings));
                default -> throw new IllegalArgumentException("unknown suite " + suite);
            }
        }
        pairs.forEach(p -> System.out.printf("%-28s %-22s quiver %10.2f  peer %10.2f  ratio %.2f%s%n", p.name(),
                p.metric(), p.quiver(), p.peer(), p.ratio(),
                p.target() == null ? "" : (p.meetsTarget() ? "  (target " : "  (MISSES target ") + p.target() + ")"));
        CompareResult result = new CompareResult("compare", started, settings, pairs, String.join("\n", notes),
                unavailable, checks);
        checks.forEach(c -> System.out.printf("%s: %s quiver %.2f%s  (%s target %s)%n", c.name(), c.measure(),
                c.quiver(), c.peer() == null ? "" : String.format("  peer %.2f", c.peer()), c.met() ? "meets" : "MISSES",
                c.rule()));
        System.out.println("wrote " + new ResultsStore(results).write("compare", result));
        return 0;
    }

    private List<PairResult> embeddings() throws Exception {
        try (Server server = server(List.of())) {
            OpenAiClient client = new OpenAiClient(server.base, null, Duration.ofMinutes(2));
            RequestSpec spec = new RequestSpec(Route.EMBEDDINGS, null, false, 0, null, 0);
            PromptSet prompts = PromptSet.named("short", 11);
            MiniLmInProcess peer = new MiniLmInProcess();
            List<PairResult> pairs = new ArrayList<>();
            for (int c : embedConcurrency) {
                Supplier<LevelResult> quiver = () -> ClosedLoop.run(c, Durations.parse(duration), 0, 2,
                        i -> client.call(Route.EMBEDDINGS, spec.body(prompts.get(i)), false));
                Supplier<LevelResult> inProcess = () -> ClosedLoop.run(c, Durations.parse(duration), 0, 2,
                        i -> peer.embed(prompts.get(i)));
                pairs.addAll(Alternation.run("embeddings c=" + c + " vs langchain4j", rounds, quiver, inProcess, false,
                        List.of(new Alternation.Metric("requests/s", LevelResult::requestsPerSecond, true,
                                        c >= 8 ? 1.0 : null),
                                new Alternation.Metric("e2e p50 ms", l -> l.e2e().p50(), false, null))));
            }
            notes.add("embeddings: Quiver over loopback HTTP (JSON, admission, dynamic batching) vs langchain4j "
                    + "AllMiniLmL6V2EmbeddingModel.embed() called in process; same ONNX model and ONNX Runtime.");
            return pairs;
        }
    }

    private List<PairResult> chat(Map<String, String> settings) throws Exception {
        Path folder = modelDir != null ? modelDir : Path.of("bench/target/models", shape + "-random");
        Path gguf = BenchChatModel.ensure(folder, shape, python);
        settings.put("chat_model", shape + " random weights (" + folder.getFileName() + ")");
        settings.put("max_tokens", Integer.toString(maxTokens));
        int cpus = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        int maxStreams = streams.stream().mapToInt(Integer::intValue).max().orElse(1);
        List<String> opts = List.of("-Dquiver.models.bench-chat.path=" + folder.toAbsolutePath(),
                "-Dquiver.concurrency.max=" + Math.max(8, maxStreams));
        List<PairResult> pairs = new ArrayList<>();
        PromptSet prompts = PromptSet.named("short", 13);
        try (Server server = server(opts)) {
            OpenAiClient client = new OpenAiClient(server.base, null, Duration.ofMinutes(10));
            RequestSpec spec = new RequestSpec(Route.COMPLETIONS, "bench-chat", true, maxTokens, null, 0);
            try (LlamaCppPeer llama = new LlamaCppPeer(gguf, cpus, maxStreams, 512 + maxTokens)) {
                for (int n : streams) {
                    pairs.addAll(Alternation.run("chat " + n + " stream(s) vs llama.cpp", rounds,
                            () -> level(n, i -> client.call(Route.COMPLETIONS, spec.body(prompts.get(i)), true)),
                            () -> level(n, i -> llama.generate(prompts.get(i), maxTokens)), true,
                            List.of(new Alternation.Metric("output tokens/s", LevelResult::outputTokensPerSecond, true,
                                            n == 1 ? 0.7 : 1.0),
                                    new Alternation.Metric("TTFT p50 ms", l -> l.ttft().p50(), false, null),
                                    new Alternation.Metric("ITL p50 ms", l -> l.itl().p50(), false, null))));
                }
            }
            try (RawOnnxLoop raw = new RawOnnxLoop(folder)) {
                pairs.addAll(Alternation.run("chat 1 stream vs raw ORT loop", rounds,
                        () -> level(1, i -> client.call(Route.COMPLETIONS, spec.body(prompts.get(i)), true)),
                        () -> level(1, i -> raw.generate(prompts.get(i), maxTokens)), true,
                        List.of(new Alternation.Metric("TPOT p50 ms", l -> l.tpot().p50(), false, 1 / 1.1),
                                new Alternation.Metric("ITL p50 ms", l -> l.itl().p50(), false, 1 / 1.1),
                                new Alternation.Metric("TTFT p50 ms", l -> l.ttft().p50(), false, null))));
            }
        }
        notes.add("chat: Quiver /v1/completions streams (greedy, ignore_eos, " + maxTokens + " tokens) over loopback vs "
                + "llama.cpp in process (de.kherud:llama, F32 GGUF of the same weights, " + cpus + " threads, "
                + maxStreams + " slots, continuous batching) and vs a raw ONNX Runtime greedy loop with the server's "
                + "session options. Raw-loop ratio ≥ 0.91 means server overhead ≤ 10 % per token.");
        return pairs;
    }

    /**
     * No server: the raw ONNX Runtime loop (as "quiver") against llama.cpp, one stream, on the same weights. The
     * floor both engines give before any serving code; also the check that the GGUF holds a working model.
     */
    private List<PairResult> engines(Map<String, String> settings) throws Exception {
        Path folder = modelDir != null ? modelDir : Path.of("bench/target/models", shape + "-random");
        Path gguf = BenchChatModel.ensure(folder, shape, python);
        settings.put("chat_model", shape + " random weights (" + folder.getFileName() + ")");
        int cpus = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        PromptSet prompts = PromptSet.named("short", 13);
        try (LlamaCppPeer llama = new LlamaCppPeer(gguf, cpus, 1, 512 + maxTokens);
             RawOnnxLoop raw = new RawOnnxLoop(folder)) {
            System.out.printf("prompt tokens: onnx tokenizer %d, llama.cpp %d%n", raw.encode(prompts.get(0)).length,
                    llama.promptTokens(prompts.get(0)));
            notes.add("engines: raw ONNX Runtime greedy loop (server's session options) vs llama.cpp F32 GGUF, "
                    + "1 stream, " + cpus + " threads, in one process, no HTTP.");
            return Alternation.run("raw ORT loop vs llama.cpp", rounds,
                    () -> level(1, i -> raw.generate(prompts.get(i), maxTokens)),
                    () -> level(1, i -> llama.generate(prompts.get(i), maxTokens)), true,
                    List.of(new Alternation.Metric("output tokens/s", LevelResult::outputTokensPerSecond, true, null),
                            new Alternation.Metric("TTFT p50 ms", l -> l.ttft().p50(), false, null),
                            new Alternation.Metric("ITL p50 ms", l -> l.itl().p50(), false, null)));
        }
    }

    private List<PairResult> servers(Map<String, String> settings) throws Exception {
        int cpus = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        settings.put("max_tokens", Integer.toString(maxTokens));
        settings.put("streams", streams.toString());
        settings.put("image_concurrency", imageConcurrency.toString());
        settings.put("long_streams", longStreams.toString());
        settings.put("long_duration_per_side", longDuration);
        settings.put("join_streams", joinStreams + " while " + joinLong + " long-prompt client(s) send");
        settings.put("prefix_streams", prefixStreams.toString());
        ChatFamily chat = ChatFamily.named(chatModel, smollm2, r1Shape, peersDir);
        settings.put("chat_model", chat.key() + " (" + chat.optimum().getFileName() + ")");
        if (!jvmOptions.isEmpty()) {
            settings.put("quiver_jvm_options", ServersSuite.shown(jvmOptions, peersDir, genaiPython));
        }
        settings.put("load_average_at_start", LoadAverage.read());
        ServersSuite suite = new ServersSuite(new ServersSuite.Settings(peers, peersDir, chat, genaiPython,
                Path.of(System.getProperty("java.home"), "bin", "java"), jar, port, peerPort, streams,
                embedConcurrency, imageConcurrency, maxTokens, rounds, Durations.parse(duration), cpus,
                Durations.parse(startTimeout), positive(longStreams), Durations.parse(longDuration),
                positive(joinStreams), joinLong, positive(prefixStreams), jvmOptions));
        List<PairResult> pairs = suite.run();
        settings.put("load_average_at_end", LoadAverage.read());
        unavailable.putAll(suite.unavailable());
        checks.addAll(suite.checks());
        notes.add("servers: Quiver (packaged jar, only the twin model) and each peer over loopback HTTP, the same "
                + "closed-loop client, chat streams greedy with ignore_eos, short prompts, " + maxTokens
                + " tokens, " + cpus + " threads for the peers (llama-server "
                + (ServerPeer.LLAMA_REPACKS ? "repacking its weights, its default" : "with --no-repack: AMX CPU")
                + "); images one " + Side.IMAGE_SIZE + " PNG per "
                + "request (b64_json), " + Side.IMAGE_STEPS + " steps, guidance " + Side.IMAGE_GUIDANCE
                + ", the folder's scheduler, random seed; each server started alone (ready = process start → first "
                + "answer), then levels alternated A B B A. onnxruntime-genai is no server: its own Generator in "
                + "process (bench/peers/genai_generate.py) on the builder folder Quiver serves, a static batch of "
                + "as many rows as the level's streams, greedy, every row " + maxTokens + " tokens, batches back "
                + "to back; no HTTP, no rows joining or leaving: the ceiling of the same graph, against which "
                + "Quiver's closed-loop streams are compared at the same counts (its ready time is the model "
                + "load in Python). Both run ONNX Runtime's default intra-op threads; idle threads do not spin "
                + "(Quiver's quiver.cpu.spin-wait default, set the same on genai's session) except in the "
                + "genai-spin comparison, one stream with both sides spinning.");
        notes.addAll(suite.notes());
        return pairs;
    }

    private static List<Integer> positive(List<Integer> levels) {
        return levels.stream().filter(c -> c > 0).toList();
    }

    private LevelResult level(int concurrency, ClosedLoop.Call call) {
        return ClosedLoop.run(concurrency, Durations.parse(duration), 0, 1, call);
    }

    /** The server under test: the one at --url, or the packaged one started here (stopped at the end). */
    private Server server(List<String> extraOptions) throws Exception {
        if (url != null) {
            return new Server(url, null);
        }
        List<String> opts = new ArrayList<>(jvmOptions);
        opts.addAll(extraOptions);
        ServerProcess process = ServerProcess.start(Path.of(System.getProperty("java.home"), "bin", "java"), jar,
                port, opts, List.of(), Map.of());
        if (process.awaitReady(Duration.ofMinutes(5)) < 0) {
            process.log().forEach(System.err::println);
            process.close();
            throw new IllegalStateException("server did not become ready");
        }
        return new Server(process.base(), process);
    }

    private record Server(URI base, ServerProcess process) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            if (process != null) {
                process.close();
            }
        }
    }
}
