package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.ModelFolder;
import io.quiver.models.OnnxLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A chat model's folder read (Optimum's layout or onnxruntime-genai's), its tokenizer parsed and its decoder graph
 * opened: the slow part of loading. It
 * depends on no serving option but the graph file, so it can start before the configuration is read;
 * {@link ChatEngine#start} then serves it with the options.
 */
public final class ChatModel implements AutoCloseable {
    final ModelFolder folder;
    final ModelSpec spec;
    final ChatTokenizer tokenizer;
    final DecoderSession decoder;
    /** The folder's genai_config.json; null for Optimum's layout. */
    final GenaiConfig genai;
    final Placement placement;
    private final Path graph;
    private final OpenTimes times;

    /**
     * Where {@link #open} spent its time, in nanoseconds: ONNX Runtime's environment (DJL's engine and the native
     * libraries, the first open in the process only), the decoder's session, the check of the graph against
     * genai_config.json (one token through it), and the tokenizer's parse on its own thread beside them, with how
     * long the open still waited for it.
     */
    public record OpenTimes(long runtime, long session, long check, long tokenizer, long tokenizerWait) {
        /** Each phase in milliseconds, in the order they run. */
        public Map<String, Long> millis() {
            Map<String, Long> ms = new LinkedHashMap<>();
            ms.put("runtime", runtime / 1_000_000);
            ms.put("session", session / 1_000_000);
            ms.put("check", check / 1_000_000);
            ms.put("tokenizer", tokenizer / 1_000_000);
            ms.put("tokenizer-wait", tokenizerWait / 1_000_000);
            return ms;
        }
    }

    private ChatModel(ModelFolder folder, ModelSpec spec, ChatTokenizer tokenizer, DecoderSession decoder,
                      GenaiConfig genai, Placement placement, Path graph, OpenTimes times) {
        this.times = times;
        this.folder = folder;
        this.placement = placement;
        this.spec = spec;
        this.tokenizer = tokenizer;
        this.decoder = decoder;
        this.genai = genai;
        this.graph = graph;
    }

    /**
     * Reads config, generation config, tokenizer files and opens the graph {@code onnxFile} (null: the default); a
     * folder with a genai_config.json is read as onnxruntime-genai's model builder writes it ({@link GenaiConfig}).
     */
    public static ChatModel open(Path root, Placement placement, String onnxFile) {
        ModelFolder folder = ModelFolder.of(root);
        GenaiConfig genai = GenaiConfig.present(folder) ? GenaiConfig.read(folder) : null;
        ModelSpec spec = genai != null ? ModelSpec.read(folder, genai) : ModelSpec.read(folder);
        Path graph = graph(folder, onnxFile);
        DecoderIo io = DecoderIo.OPTIMUM;
        int kvHeads;
        int headDim;
        if (genai != null) {
            io = genai.io();
            kvHeads = genai.kvHeads();
            headDim = genai.headSize();
        } else {
            JsonNode config = folder.config();
            int heads = config.path("num_attention_heads").asInt(0);
            kvHeads = config.path("num_key_value_heads").asInt(heads);
            headDim = config.path("head_dim").asInt(heads > 0 ? config.path("hidden_size").asInt(0) / heads : 0);
        }
        // The tokenizer parses (≈0.5 s for a 150k vocabulary) while ONNX Runtime opens the graph.
        long[] parsing = {0};
        FutureTask<ChatTokenizer> parse = new FutureTask<>(() -> {
            long t = System.nanoTime();
            try {
                return ChatTokenizer.load(folder.tokenizer(), spec.bosToken(), spec.addBos());
            } finally {
                parsing[0] = System.nanoTime() - t;
            }
        });
        Thread.ofPlatform().name("quiver-tokenizer").daemon(true).start(parse);
        DecoderSession decoder;
        long start = System.nanoTime();
        long runtime;
        long opened;
        try {
            OnnxLoader.environment();
            runtime = System.nanoTime();
            decoder = DecoderSession.open(graph, placement, io, kvHeads, headDim);
            opened = System.nanoTime();
            if (genai != null) {
                try {
                    genai.check(decoder);
                } catch (RuntimeException e) {
                    decoder.close();
                    throw e;
                }
            }
        } catch (RuntimeException | Error e) {
            try {
                parsed(parse).close();
            } catch (RuntimeException | Error ignored) {
                // the graph's failure is the one to report
            }
            throw e;
        }
        try {
            long checked = System.nanoTime();
            ChatTokenizer tokenizer = parsed(parse);
            OpenTimes times = new OpenTimes(runtime - start, opened - runtime, checked - opened, parsing[0],
                    System.nanoTime() - checked);
            return new ChatModel(folder, spec, tokenizer, decoder, genai, placement, graph, times);
        } catch (RuntimeException | Error e) {
            decoder.close();
            throw e;
        }
    }

    private static ChatTokenizer parsed(FutureTask<ChatTokenizer> parse) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return parse.get();
                } catch (InterruptedException e) {
                    // The parse runs to its end either way; its tokenizer must not leak.
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The decoder graph {@code onnxFile} names: a file under {@code onnx/} (or at the top), or a dtype in
     * transformers.js' naming ({@code fp16} → {@code model_fp16.onnx}, see {@link #DTYPE_SUFFIXES}); null is
     * {@code model.onnx}.
     */
    public static Path graph(ModelFolder folder, String onnxFile) {
        return folder.require("ONNX model" + (onnxFile != null ? " for onnx-file " + onnxFile : ""),
                candidates(folder, onnxFile));
    }

    /** Where {@link #open} spent its time. */
    public OpenTimes openTimes() {
        return times;
    }

    /** Whether the graph open here is the one {@code onnxFile} names (null: the default graph). */
    public boolean opened(String onnxFile) {
        return candidates(folder, onnxFile).stream().anyMatch(file -> graph.equals(folder.root().resolve(file)));
    }

    /** transformers.js' dtype names and the suffix each adds to {@code model}: how onnx-community names graphs. */
    static final Map<String, String> DTYPE_SUFFIXES = Map.of("fp32", "", "fp16", "_fp16", "int8", "_int8",
            "uint8", "_uint8", "q8", "_quantized", "q4", "_q4", "q4f16", "_q4f16", "bnb4", "_bnb4");

    /** An onnxruntime-genai folder: the file its genai_config.json names, or {@code onnxFile} beside it. */
    private static List<String> candidates(ModelFolder folder, String onnxFile) {
        if (GenaiConfig.present(folder)) {
            return List.of(onnxFile != null ? onnxFile : GenaiConfig.read(folder).graph());
        }
        String file = onnxFile == null ? "model.onnx"
                : DTYPE_SUFFIXES.containsKey(onnxFile) ? "model" + DTYPE_SUFFIXES.get(onnxFile) + ".onnx"
                : onnxFile;
        return List.of("onnx/" + file, file);
    }

    @Override
    public void close() {
        decoder.close();
        tokenizer.close();
    }
}
