package io.quiver.bench.compare;

import io.quiver.bench.load.Route;
import io.quiver.models.CpuInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A server users would run instead of Quiver, on the same weights, reached over the same OpenAI routes: how to start
 * it, which Quiver model is its twin, and what its requests carry beyond the shared body. One peer is no server:
 * onnxruntime-genai's own Generator ({@code genai}), driven in process by bench/peers/genai_generate.py.
 *
 * @param name        shown in the report, e.g. "llama-server Q4_1"
 * @param twin        the Quiver side: served name and the JVM options that serve exactly that model
 * @param model       the {@code model} field the peer expects (null: omitted)
 * @param minTokens   whether requests also carry {@code min_tokens = max_tokens} (vLLM's way to hold the length)
 * @param unavailable why it cannot start (not installed, install failed), or null
 * @param inProcess   a static-batching Generator behind a line protocol on stdin, not an HTTP server
 * @param oneStream   measured at one stream only (the spinning variant of the genai comparison)
 */
public record ServerPeer(String name, Twin twin, Route route, String model, List<String> command,
                         Map<String, String> env, URI base, boolean minTokens, String unavailable, boolean inProcess,
                         boolean oneStream) {

    /** The tiny Stable Diffusion fixture: embedded in Quiver, the same folder on the peer's side. */
    static final String OPTIMUM_SD_MODEL = "tiny-random-sd";
    static final String GENAI_SCRIPT = "bench/peers/genai_generate.py";

    ServerPeer(String name, Twin twin, Route route, String model, List<String> command, Map<String, String> env,
               URI base, boolean minTokens, String unavailable) {
        this(name, twin, route, model, command, env, base, minTokens, unavailable, false, false);
    }

    /** The Quiver model a peer is measured against. */
    public record Twin(String label, String model, List<String> jvmOptions) {
    }

    /**
     * Whether llama-server runs as it does by default, its weights repacked at load for its fastest CPU kernels
     * (on AVX2 alone, 25-30 % more tokens/s for Q4_0 than unpacked). Not where the CPU reports AMX tiles: there it
     * picks an AMX matmul for Q4_1 that crashes this build, and runs its AVX-512 VNNI kernels unpacked instead.
     */
    static final boolean LLAMA_REPACKS = !CpuInfo.flags().contains("amx_tile");

    /** Every peer key, as --peers takes them. */
    static final List<String> KEYS = List.of("llama-q4_0", "genai", "genai-spin", "llama-q4", "llama-f16",
            "llama-f32", "vllm", "infinity", "optimum-sd");

    /**
     * The peer named {@code key} under {@code peersDir} (as bench/peers/*.sh install them), on {@code chat}'s
     * weights where it is a chat peer; {@code python} runs the genai peer.
     */
    public static ServerPeer named(String key, Path peersDir, ChatFamily chat, Path python, int streams, int cpus,
                                   int port) {
        URI base = URI.create("http://127.0.0.1:" + port);
        String concurrency = "-Dquiver.concurrency.max=" + Math.max(8, streams);
        String a = chat.alias();
        Twin q4 = new Twin("Quiver q4", a + "-q4", List.of("-Dquiver.models." + a + "-q4.path=" + chat.optimum(),
                "-Dquiver.models." + a + "-q4.onnx-file=model_q4.onnx", concurrency));
        Twin fp32 = new Twin("Quiver fp32", a, List.of("-Dquiver.models." + a + ".path=" + chat.optimum(),
                concurrency));
        Twin builder = builder(chat, concurrency, false);
        Twin minilm = new Twin("Quiver", null, List.of("-Dquiver.models.all-minilm-l6-v2.path=embedded:all-minilm-l6-v2",
                concurrency));
        Twin sd = new Twin("Quiver", OPTIMUM_SD_MODEL, List.of("-Dquiver.models." + OPTIMUM_SD_MODEL + ".path=embedded:"
                + OPTIMUM_SD_MODEL, concurrency));
        return switch (key) {
            case "llama-q4_0" -> llamaServer("Q4_0", builder, chat, peersDir, streams, cpus, base, port);
            case "genai" -> genai(builder(chat, concurrency, false), chat, python, false);
            case "genai-spin" -> genai(builder(chat, concurrency, true), chat, python, true);
            case "llama-q4" -> llamaServer("Q4_1", q4, chat, peersDir, streams, cpus, base, port);
            case "llama-f16" -> llamaServer("F16", fp32, chat, peersDir, streams, cpus, base, port);
            case "llama-f32" -> llamaServer("F32", fp32, chat, peersDir, streams, cpus, base, port);
            case "vllm" -> vllm(fp32, chat, peersDir, streams, base, port);
            case "infinity" -> infinity(minilm, peersDir, base, port);
            case "optimum-sd" -> optimumSd(sd, peersDir, cpus, base, port);
            default -> throw new IllegalArgumentException("unknown peer " + key + " " + KEYS);
        };
    }

    /** Quiver on the model-builder export; {@code spin}: with quiver.cpu.spin-wait, as the genai-spin peer. */
    private static Twin builder(ChatFamily chat, String concurrency, boolean spin) {
        String m = chat.alias() + "-builder";
        List<String> opts = new ArrayList<>(List.of("-Dquiver.models." + m + ".path=" + chat.builder(), concurrency));
        if (spin) {
            opts.add("-Dquiver.cpu.spin-wait=true");
        }
        return new Twin(spin ? "Quiver builder int4, spin-wait" : "Quiver builder int4", m, List.copyOf(opts));
    }

    private static ServerPeer llamaServer(String type, Twin twin, ChatFamily chat, Path peers, int streams, int cpus,
                                          URI base, int port) {
        Path dir = peers.resolve("llama.cpp");
        Path bin = dir.resolve("build/bin/llama-server");
        Path gguf = chat.gguf(type);
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-m", gguf.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--parallel", Integer.toString(streams),
                // llama-server splits its context among the slots: 2,048 each holds a long prompt and its answer.
                "-c", Integer.toString(streams * 2048), "--cont-batching", "-t", Integer.toString(cpus),
                "-tb", Integer.toString(cpus), "--alias", chat.alias()));
        if (!LLAMA_REPACKS) {
            cmd.add("--no-repack");
        }
        String missing = missing(dir, "llama-server.sh", bin);
        if (missing == null && !Files.exists(gguf)) {
            missing = gguf.getFileName() + " missing: run " + (chat.key().equals("smollm2")
                    ? "bench/peers/llama-server.sh" : "bench/shapes/make-r1-gguf.sh");
        }
        return new ServerPeer("llama-server " + type, twin, Route.CHAT, chat.alias(), List.copyOf(cmd), Map.of(), base,
                false, missing);
    }

    /**
     * onnxruntime-genai's Generator on the twin's own folder, static batches in process (no server, no continuous
     * batching): the ceiling of what ONNX Runtime does with that graph. Idle threads spin only in the spin variant,
     * whose twin runs with quiver.cpu.spin-wait.
     */
    private static ServerPeer genai(Twin twin, ChatFamily chat, Path python, boolean spin) {
        List<String> cmd = List.of(python.toString(), GENAI_SCRIPT, "--model", chat.builder().toString(), "--serve",
                "--allow-spinning", spin ? "1" : "0");
        String missing = !Files.exists(python) ? python + " missing: set QUIVER_VENV (models/fixtures/python-env.sh)"
                : !Files.exists(chat.builder().resolve("genai_config.json"))
                ? chat.builder() + " has no genai_config.json: run " + chat.prepare() : null;
        return new ServerPeer(spin ? "onnxruntime-genai, spinning" : "onnxruntime-genai", twin, Route.CHAT, null, cmd,
                Map.of("PYTHONUNBUFFERED", "1"), null, false, missing, true, spin);
    }

    /** vLLM reads a transformers folder: bench/peers/vllm.sh's for SmolLM2, cold-start-r1.sh's for the R1 shape. */
    private static ServerPeer vllm(Twin twin, ChatFamily chat, Path peers, int streams, URI base, int port) {
        Path dir = peers.resolve("vllm");
        Path python = dir.resolve("venv/bin/python");
        Path hf = peers.resolve(chat.key().equals("smollm2") ? "smollm2-hf" : "r1-hf");
        List<String> cmd = List.of(python.toString(), "-m", "vllm.entrypoints.openai.api_server",
                "--model", hf.toString(), "--served-model-name", chat.alias(), "--dtype", "float32",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--max-num-seqs", Integer.toString(streams),
                "--max-model-len", "2048");
        return new ServerPeer("vLLM CPU fp32", twin, Route.CHAT, chat.alias(), cmd,
                Map.of("VLLM_CPU_KVCACHE_SPACE", "1", "VLLM_TARGET_DEVICE", "cpu"), base,
                true, missing(dir, "vllm.sh", python, hf.resolve("config.json")));
    }

    private static ServerPeer infinity(Twin twin, Path peers, URI base, int port) {
        Path dir = peers.resolve("infinity");
        Path bin = dir.resolve("venv/bin/infinity_emb");
        Path model = dir.resolve("all-MiniLM-L6-v2");
        List<String> cmd = List.of(bin.toString(), "v2", "--model-id", model.toString(), "--engine", "torch",
                "--device", "cpu", "--host", "127.0.0.1", "--port", Integer.toString(port), "--url-prefix", "/v1",
                "--no-bettertransformer");
        return new ServerPeer("Infinity", twin, Route.EMBEDDINGS, null, cmd, Map.of("INFINITY_ANONYMOUS_USAGE_STATS", "0",
                "DO_NOT_TRACK", "1"), base, false, missing(dir, "infinity.sh", bin, model.resolve("config.json")));
    }

    /**
     * Optimum's ONNX Runtime Stable Diffusion pipeline behind bench/peers/optimum_sd_server.py, on the fixture folder
     * Quiver embeds (the install script links it), with ONNX Runtime's threads limited to {@code cpus} and not
     * spinning when idle, as Quiver's sessions: left to spin, they took 2-3x the UNet's time on shared cores, which
     * would measure ONNX Runtime's thread-pool default rather than the serving.
     */
    private static ServerPeer optimumSd(Twin twin, Path peers, int cpus, URI base, int port) {
        Path dir = peers.resolve("optimum-sd");
        Path serve = dir.resolve("serve");
        Path model = dir.resolve(OPTIMUM_SD_MODEL);
        List<String> cmd = List.of(serve.toString(), "--model", model.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--threads", Integer.toString(cpus), "--allow-spinning", "0",
                "--served-model-name", OPTIMUM_SD_MODEL);
        return new ServerPeer("Optimum ORT SD", twin, Route.IMAGES, OPTIMUM_SD_MODEL, cmd,
                Map.of("PYTHONUNBUFFERED", "1"), base, false,
                missing(dir, "optimum-sd.sh", serve, model.resolve("model_index.json")));
    }

    /** Null when every file is there; else the install script's recorded failure, or how to install. */
    private static String missing(Path dir, String script, Path... files) {
        List<String> absent = new ArrayList<>();
        for (Path f : files) {
            if (!Files.exists(f)) {
                absent.add(f.getFileName().toString());
            }
        }
        if (absent.isEmpty()) {
            return null;
        }
        try {
            Path failed = dir.resolve("FAILED");
            if (Files.exists(failed)) {
                return "install failed: " + Files.readString(failed).strip();
            }
        } catch (IOException ignored) {
            // fall through to the plain hint
        }
        return "not installed (" + String.join(", ", absent) + " missing): run bench/peers/" + script;
    }
}
