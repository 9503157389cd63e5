package io.quiver.models.chat;

import io.quiver.models.QueueTimeoutException;
import java.time.Duration;

/**
 * How a chat engine is set up.
 *
 * @param maxBatch       sequences executing at once (the pod's concurrency cap); at least 1
 * @param onnxFile       graph under {@code onnx/} (e.g. {@code model_fp16.onnx}); null for {@code model.onnx}
 * @param chatTemplate   Jinja template replacing tokenizer_config.json's {@code chat_template}; null keeps the folder's
 * @param reasoningSplit split {@code <think>…</think>} into reasoning text; false streams everything as content
 * @param contextLength  tokens per sequence (prompt + completion); 0 takes {@code max_position_embeddings}
 * @param queueTimeout   the longest a completion waits for a batch row before it fails with
 *                       {@link QueueTimeoutException}; zero waits as long as it takes
 * @param grammars       what compiling structured-output grammars may cost, and what the compiled ones may hold
 */
public record ChatOptions(int maxBatch, String onnxFile, String chatTemplate, boolean reasoningSplit, int contextLength,
                          Duration queueTimeout, GrammarLimits grammars) {
    public ChatOptions {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        if (contextLength < 0) {
            throw new IllegalArgumentException("contextLength must be 0 (from config) or positive, was " + contextLength);
        }
        if (queueTimeout == null || queueTimeout.isNegative()) {
            throw new IllegalArgumentException("queueTimeout must be zero or positive, was " + queueTimeout);
        }
        if (grammars == null) {
            throw new IllegalArgumentException("grammars must be set");
        }
    }

    public ChatOptions(int maxBatch, String onnxFile, String chatTemplate, boolean reasoningSplit, int contextLength,
                       Duration queueTimeout) {
        this(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, GrammarLimits.defaults());
    }

    public ChatOptions(int maxBatch, String onnxFile, String chatTemplate, boolean reasoningSplit, int contextLength) {
        this(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, Duration.ZERO);
    }

    public static ChatOptions defaults() {
        return new ChatOptions(8, null, null, true, 0);
    }

    public ChatOptions withMaxBatch(int n) {
        return new ChatOptions(n, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, grammars);
    }

    public ChatOptions withChatTemplate(String template) {
        return new ChatOptions(maxBatch, onnxFile, template, reasoningSplit, contextLength, queueTimeout, grammars);
    }

    public ChatOptions withReasoningSplit(boolean on) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, on, contextLength, queueTimeout, grammars);
    }

    public ChatOptions withContextLength(int tokens) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, tokens, queueTimeout, grammars);
    }

    public ChatOptions withQueueTimeout(Duration timeout) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, timeout, grammars);
    }

    public ChatOptions withGrammars(GrammarLimits limits) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, limits);
    }
}
