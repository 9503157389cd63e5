package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.ModelFolder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A chat model's folder read, its tokenizer parsed and its decoder graph opened: the slow part of loading. It
 * depends on no serving option but the graph file, so it can start before the configuration is read;
 * {@link ChatEngine#start} then serves it with the options.
 */
public final class ChatModel implements AutoCloseable {
    final ModelFolder folder;
    final ModelSpec spec;
    final ChatTokenizer tokenizer;
    final DecoderSession decoder;
    private final Path graph;

    private ChatModel(ModelFolder folder, ModelSpec spec, ChatTokenizer tokenizer, DecoderSession decoder,
                      Path graph) {
        this.folder = folder;
        this.spec = spec;
        this.tokenizer = tokenizer;
        this.decoder = decoder;
        this.graph = graph;
    }

    /** Reads config, generation config, tokenizer files and opens the graph {@code onnxFile} (null: the default). */
    public static ChatModel open(Path root, Placement placement, String onnxFile) {
        ModelFolder folder = ModelFolder.of(root);
        ModelSpec spec = ModelSpec.read(folder);
        Path graph = graph(folder, onnxFile);
        JsonNode config = folder.config();
        int heads = config.path("num_attention_heads").asInt(0);
        int kvHeads = config.path("num_key_value_heads").asInt(heads);
        int headDim = config.path("head_dim").asInt(heads > 0 ? config.path("hidden_size").asInt(0) / heads : 0);
        ChatTokenizer tokenizer = ChatTokenizer.load(folder.tokenizer(), spec.bosToken(), spec.addBos());
        try {
            return new ChatModel(folder, spec, tokenizer, DecoderSession.open(graph, placement, kvHeads, headDim),
                    graph);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /**
     * The decoder graph {@code onnxFile} names: a file under {@code onnx/} (or at the top), or a dtype in
     * transformers.js' naming ({@code fp16} → {@code model_fp16.onnx}, see {@link #DTYPE_SUFFIXES}); null is
     * {@code model.onnx}.
     */
    public static Path graph(ModelFolder folder, String onnxFile) {
        return folder.require("ONNX model" + (onnxFile != null ? " for onnx-file " + onnxFile : ""),
                candidates(onnxFile));
    }

    /** Whether the graph open here is the one {@code onnxFile} names (null: the default graph). */
    public boolean opened(String onnxFile) {
        return candidates(onnxFile).stream().anyMatch(file -> graph.equals(folder.root().resolve(file)));
    }

    /** transformers.js' dtype names and the suffix each adds to {@code model}: how onnx-community names graphs. */
    static final Map<String, String> DTYPE_SUFFIXES = Map.of("fp32", "", "fp16", "_fp16", "int8", "_int8",
            "uint8", "_uint8", "q8", "_quantized", "q4", "_q4", "q4f16", "_q4f16", "bnb4", "_bnb4");

    private static List<String> candidates(String onnxFile) {
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
