package io.quiver.models.chat;

/**
 * How a chat engine is set up.
 *
 * @param maxBatch       sequences executing at once (the pod's concurrency cap); at least 1
 * @param onnxFile       graph under {@code onnx/} (e.g. {@code model_fp16.onnx}); null for {@code model.onnx}
 * @param chatTemplate   Jinja template replacing tokenizer_config.json's {@code chat_template}; null keeps the folder's
 * @param reasoningSplit split {@code <think>…</think>} into reasoning text; false streams everything as content
 * @param contextLength  tokens per sequence (prompt + completion); 0 takes {@code max_position_embeddings}
 */
public record ChatOptions(int maxBatch, String onnxFile, String chatTemplate, boolean reasoningSplit, int contextLength) {
    public ChatOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be 0 (from config) or positive, was " + contextLength);
        }
    }

    public static ChatOptions defaults() {
        return new ChatOptions(8, null, null, true, 0);
    }

    public ChatOptions withMaxBatch(int n) {
        return new ChatOptions(n, onnxFile, chatTemplate, reasoningSplit, contextLength);
    }

    public ChatOptions withChatTemplate(String template) {
        return new ChatOptions(maxBatch, onnxFile, template, reasoningSplit, contextLength);
    }

    public ChatOptions withReasoningSplit(boolean on) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, on, contextLength);
    }

    public ChatOptions withContextLength(int tokens) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, tokens);
    }
}
