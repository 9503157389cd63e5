package io.quiver.models;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.MemoryNeed;
import io.quiver.models.chat.ChatModel;
import io.quiver.models.chat.GenaiConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a model folder will take in GPU memory, estimated before anything loads: the weights of the graphs that will
 * load (read off each graph, inline or external, see {@link GraphSummary}) and, for chat, a full KV cache in the
 * graph's cache type for the configured context at the full batch. ONNX Runtime's workspace is {@link MemoryNeed}'s
 * margin.
 */
public final class MemoryEstimate {
    private MemoryEstimate() {
    }

    /**
     * @param onnxFile      chat: the graph under {@code onnx/} or a dtype name ({@link ChatModel#graph}); null for
     *                      {@code model.onnx}
     * @param contextLength chat: tokens per sequence; 0 takes {@code max_position_embeddings}
     * @param batch         chat: sequences at once (the pod cap)
     */
    public static MemoryNeed of(Path root, ModelKind kind, String onnxFile, int contextLength, int batch) {
        return of(root, kind, onnxFile, contextLength, batch, List.of());
    }

    /**
     * As above, with the LoRA adapters a chat model loads at start ({@code .onnx_adapter} files), whose tensors are
     * weights as much as the model's own: counted by their files' sizes.
     */
    public static MemoryNeed of(Path root, ModelKind kind, String onnxFile, int contextLength, int batch,
                                List<Path> adapters) {
        long adapterBytes = 0;
        for (Path adapter : adapters) {
            try {
                adapterBytes += Files.size(adapter);
            } catch (IOException e) {
                throw new ModelLoadException(adapter, "cannot read the LoRA adapter: " + e.getMessage());
            }
        }
        return of(root, kind, onnxFile, contextLength, batch, adapterBytes);
    }

    private static MemoryNeed of(Path root, ModelKind kind, String onnxFile, int contextLength, int batch,
                                 long adapterBytes) {
        ModelFolder folder = ModelFolder.of(root);
        return switch (kind) {
            case EMBEDDING, CLASSIFIER, RERANKER ->
                    MemoryNeed.of(GraphSummary.read(folder.onnxModel()).weightBytes(), 0);
            case DIFFUSION -> MemoryNeed.of(List.of("text_encoder", "unet", "vae_decoder").stream()
                    .mapToLong(part -> GraphSummary.read(folder.require(part, List.of(part + "/model.onnx")))
                            .weightBytes()).sum(), 0);
            case CHAT -> {
                GraphSummary graph = GraphSummary.read(ChatModel.graph(folder, onnxFile));
                yield MemoryNeed.of(graph.weightBytes() + adapterBytes, GenaiConfig.present(folder)
                        ? kvCacheBytes(GenaiConfig.read(folder), graph, contextLength, batch)
                        : kvCacheBytes(folder.config(), graph, contextLength, batch));
            }
        };
    }

    /** The same off an onnxruntime-genai export's genai_config.json; 0 context takes its context_length. */
    static long kvCacheBytes(GenaiConfig genai, GraphSummary graph, int contextLength, int batch) {
        int context = contextLength > 0 ? contextLength : genai.contextLength();
        int elementBytes = graph.elementBytes(genai.pastKey(0));
        return 2L * genai.layers() * genai.kvHeads() * genai.headSize() * elementBytes * context * (long) batch;
    }

    /** Keys and values of every layer for every position of every sequence, in the graph's cache type. */
    static long kvCacheBytes(JsonNode config, GraphSummary graph, int contextLength, int batch) {
        int layers = config.path("num_hidden_layers").asInt();
        int heads = config.path("num_attention_heads").asInt();
        int kvHeads = config.path("num_key_value_heads").asInt(heads);
        int headDim = config.path("head_dim").asInt(heads > 0 ? config.path("hidden_size").asInt() / heads : 0);
        int context = contextLength > 0 ? contextLength : config.path("max_position_embeddings").asInt();
        int elementBytes = graph.elementBytes("past_key_values.0.key");
        return 2L * layers * kvHeads * headDim * elementBytes * context * (long) batch;
    }
}
