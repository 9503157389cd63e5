package io.quiver.models;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.MemoryNeed;
import io.quiver.models.chat.ChatModel;
import java.nio.file.Path;
import java.util.List;

/**
 * What a model folder will take in GPU memory, estimated before anything loads: the weights (graphs plus external
 * data) and, for chat, a full KV cache for the configured context at the full batch. ONNX Runtime's workspace is
 * {@link MemoryNeed}'s margin.
 */
public final class MemoryEstimate {
    private MemoryEstimate() {
    }

    /**
     * @param onnxFile      chat: the graph under {@code onnx/}; null for {@code model.onnx}
     * @param contextLength chat: tokens per sequence; 0 takes {@code max_position_embeddings}
     * @param batch         chat: sequences at once (the pod cap)
     */
    public static MemoryNeed of(Path root, ModelKind kind, String onnxFile, int contextLength, int batch) {
        ModelFolder folder = ModelFolder.of(root);
        return switch (kind) {
            case EMBEDDING, CLASSIFIER, RERANKER -> MemoryNeed.of(ModelFolder.weightBytes(folder.onnxModel()), 0);
            case DIFFUSION -> MemoryNeed.of(List.of("text_encoder", "unet", "vae_decoder").stream()
                    .mapToLong(part -> ModelFolder.weightBytes(folder.require(part,
                            List.of(part + "/model.onnx")))).sum(), 0);
            case CHAT -> {
                Path graph = ChatModel.graph(folder, onnxFile);
                yield MemoryNeed.of(ModelFolder.weightBytes(graph), kvCacheBytes(folder.config(), graph,
                        contextLength, batch));
            }
        };
    }

    /** Keys and values of every layer for every position of every sequence. */
    static long kvCacheBytes(JsonNode config, Path graph, int contextLength, int batch) {
        int layers = config.path("num_hidden_layers").asInt();
        int heads = config.path("num_attention_heads").asInt();
        int kvHeads = config.path("num_key_value_heads").asInt(heads);
        int headDim = config.path("head_dim").asInt(heads > 0 ? config.path("hidden_size").asInt() / heads : 0);
        int context = contextLength > 0 ? contextLength : config.path("max_position_embeddings").asInt();
        // Optimum / transformers.js name half-precision-cache graphs *fp16* or *q4f16*; the others keep fp32.
        int elementBytes = graph.getFileName().toString().contains("f16") ? 2 : 4;
        return 2L * layers * kvHeads * headDim * elementBytes * context * (long) batch;
    }
}
