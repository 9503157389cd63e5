package io.quiver.bench.compare;

import io.quiver.bench.load.Route;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A server users would run instead of Quiver, on the same weights, reached over the same OpenAI routes: how to start
 * it, which Quiver model is its twin, and what its requests carry beyond the shared body.
 *
 * @param name        shown in the report, e.g. "llama-server Q4_1"
 * @param twin        the Quiver side: served name and the JVM options that serve exactly that model
 * @param model       the {@code model} field the peer expects (null: omitted)
 * @param minTokens   whether requests also carry {@code min_tokens = max_tokens} (vLLM's way to hold the length)
 * @param unavailable why it cannot start (not installed, install failed), or null
 */
public record ServerPeer(String name, Twin twin, Route route, String model, List<String> command,
                         Map<String, String> env, URI base, boolean minTokens, String unavailable) {

    /** The tiny Stable Diffusion fixture: embedded in Quiver, the same folder on the peer's side. */
    static final String OPTIMUM_SD_MODEL = "tiny-random-sd";

    /** The Quiver model a peer is measured against. */
    public record Twin(String label, String model, List<String> jvmOptions) {
    }

    /** The peer named {@code key} under {@code peersDir} (as bench/peers/*.sh install them). */
    public static ServerPeer named(String key, Path peersDir, Path smollm2, int streams, int cpus, int port) {
        URI base = URI.create("http://127.0.0.1:" + port);
        String concurrency = "-Dquiver.concurrency.max=" + Math.max(8, streams);
        Twin q4 = new Twin("Quiver q4", "smollm2-q4", List.of("-Dquiver.models.smollm2-q4.path=" + smollm2,
                "-Dquiver.models.smollm2-q4.onnx-file=model_q4.onnx", concurrency));
        Twin fp32 = new Twin("Quiver fp32", "smollm2", List.of("-Dquiver.models.smollm2.path=" + smollm2, concurrency));
        Twin minilm = new Twin("Quiver", null, List.of("-Dquiver.models.all-minilm-l6-v2.path=embedded:all-minilm-l6-v2",
                concurrency));
        Twin sd = new Twin("Quiver", OPTIMUM_SD_MODEL, List.of("-Dquiver.models." + OPTIMUM_SD_MODEL + ".path=embedded:"
                + OPTIMUM_SD_MODEL, concurrency));
        return switch (key) {
            case "llama-q4" -> llamaServer("Q4_1", q4, peersDir, streams, cpus, base, port);
            case "llama-f16" -> llamaServer("F16", fp32, peersDir, streams, cpus, base, port);
            case "llama-f32" -> llamaServer("F32", fp32, peersDir, streams, cpus, base, port);
            case "vllm" -> vllm(fp32, peersDir, streams, base, port);
            case "infinity" -> infinity(minilm, peersDir, base, port);
            case "optimum-sd" -> optimumSd(sd, peersDir, cpus, base, port);
            default -> throw new IllegalArgumentException("unknown peer " + key
                    + " (llama-q4, llama-f16, llama-f32, vllm, infinity, optimum-sd)");
        };
    }

    private static ServerPeer llamaServer(String type, Twin twin, Path peers, int streams, int cpus, URI base,
                                          int port) {
        Path dir = peers.resolve("llama.cpp");
        Path bin = dir.resolve("build/bin/llama-server");
        Path gguf = dir.resolve("models/smollm2-135m-instruct." + type + ".gguf");
        List<String> cmd = List.of(bin.toString(), "-m", gguf.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--parallel", Integer.toString(streams),
                // llama-server splits its context among the slots: 2,048 each holds a long prompt and its answer.
                "-c", Integer.toString(streams * 2048), "--cont-batching", "-t", Integer.toString(cpus),
                "-tb", Integer.toString(cpus), "--alias", "smollm2",
                // Its AMX matmul for Q4_1 (picked where the CPU reports AMX) crashes this build on a VM that
                // reports AMX tiles; without repacking it runs its AVX-512 VNNI kernels.
                "--no-repack");
        return new ServerPeer("llama-server " + type, twin, Route.CHAT, "smollm2", cmd, Map.of(), base, false,
                missing(dir, "llama-server.sh", bin, gguf));
    }

    private static ServerPeer vllm(Twin twin, Path peers, int streams, URI base, int port) {
        Path dir = peers.resolve("vllm");
        Path python = dir.resolve("venv/bin/python");
        Path hf = peers.resolve("smollm2-hf");
        List<String> cmd = List.of(python.toString(), "-m", "vllm.entrypoints.openai.api_server",
                "--model", hf.toString(), "--served-model-name", "smollm2", "--dtype", "float32",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--max-num-seqs", Integer.toString(streams),
                "--max-model-len", "2048");
        return new ServerPeer("vLLM CPU fp32", twin, Route.CHAT, "smollm2", cmd,
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
