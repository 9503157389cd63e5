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
 * @param cache          how prompts are prefilled and the KV cache is sized and reused
 * @param grammars       what compiling structured-output grammars may cost, and what the compiled ones may hold
 * @param maxAdapters    LoRA adapters loaded at once at most
 */
public record ChatOptions(int maxBatch, String onnxFile, String chatTemplate, boolean reasoningSplit, int contextLength,
                          Duration queueTimeout, CacheOptions cache, GrammarLimits grammars, int maxAdapters) {
    /** LoRA adapters a model holds at once unless set. */
    public static final int DEFAULT_MAX_ADAPTERS = 8;

    /**
     * @param prefillChunk  prompt tokens prefilled per engine step, between decode steps of the running rows
     * @param prefillStall  while rows decode, the longest a step's prompt chunks may take as a multiple of a decode
     *                      step (the chunk shrinks to fit, down to 16 tokens); 0: always {@code prefillChunk}
     * @param kvCacheBytes  the in-place KV cache's size (GroupQueryAttention graphs); 0 sizes it for every row at the
     *                      full context, within a quarter of the pod's memory
     * @param prefixCaching a new prompt reuses the longest prefix an idle slot's cache holds
     */
    public record CacheOptions(int prefillChunk, double prefillStall, long kvCacheBytes, boolean prefixCaching) {
        /** Prompt tokens per step unless set: long enough to keep a prefill efficient. */
        public static final int DEFAULT_PREFILL_CHUNK = 256;
        /** Running streams' steps that carry prompt chunks take at most 1 + this times a plain decode step. */
        public static final double DEFAULT_PREFILL_STALL = 1.0;

        public CacheOptions {
            if (prefillChunk < 1) {
                throw new IllegalArgumentException("prefillChunk must be at least 1, was " + prefillChunk);
            }
            if (!(prefillStall >= 0) || Double.isInfinite(prefillStall)) {
                throw new IllegalArgumentException("prefillStall must be 0 (off) or positive, was " + prefillStall);
            }
            if (kvCacheBytes < 0) {
                throw new IllegalArgumentException("kvCacheBytes must be 0 (sized from the model) or positive, was "
                        + kvCacheBytes);
            }
        }

        public static CacheOptions defaults() {
            return new CacheOptions(DEFAULT_PREFILL_CHUNK, DEFAULT_PREFILL_STALL, 0, true);
        }
    }

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
        if (cache == null || grammars == null) {
            throw new IllegalArgumentException("cache and grammars must be set");
        }
        if (maxAdapters < 0) {
            throw new IllegalArgumentException("maxAdapters must be 0 or more, was " + maxAdapters);
        }
    }

    public ChatOptions(int maxBatch, String onnxFile, String chatTemplate, boolean reasoningSplit, int contextLength,
                       Duration queueTimeout, CacheOptions cache, GrammarLimits grammars) {
        this(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, cache, grammars,
                DEFAULT_MAX_ADAPTERS);
    }

    public ChatOptions(int maxBatch, String onnxFile, String chatTemplate, boolean reasoningSplit, int contextLength,
                       Duration queueTimeout) {
        this(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, CacheOptions.defaults(),
                GrammarLimits.defaults());
    }

    public ChatOptions(int maxBatch, String onnxFile, String chatTemplate, boolean reasoningSplit, int contextLength) {
        this(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, Duration.ZERO);
    }

    public static ChatOptions defaults() {
        return new ChatOptions(8, null, null, true, 0);
    }

    public ChatOptions withMaxBatch(int n) {
        return new ChatOptions(n, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, cache, grammars,
                maxAdapters);
    }

    public ChatOptions withChatTemplate(String template) {
        return new ChatOptions(maxBatch, onnxFile, template, reasoningSplit, contextLength, queueTimeout, cache,
                grammars, maxAdapters);
    }

    public ChatOptions withReasoningSplit(boolean on) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, on, contextLength, queueTimeout, cache, grammars,
                maxAdapters);
    }

    public ChatOptions withContextLength(int tokens) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, tokens, queueTimeout, cache, grammars,
                maxAdapters);
    }

    public ChatOptions withQueueTimeout(Duration timeout) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, timeout, cache,
                grammars, maxAdapters);
    }

    public ChatOptions withCache(CacheOptions options) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, options,
                grammars, maxAdapters);
    }

    public ChatOptions withGrammars(GrammarLimits limits) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, cache,
                limits, maxAdapters);
    }

    public ChatOptions withMaxAdapters(int n) {
        return new ChatOptions(maxBatch, onnxFile, chatTemplate, reasoningSplit, contextLength, queueTimeout, cache,
                grammars, n);
    }

    /** Prompt tokens per engine step ({@link CacheOptions#prefillChunk}). */
    public ChatOptions withPrefillChunk(int tokens) {
        return withCache(new CacheOptions(tokens, cache.prefillStall(), cache.kvCacheBytes(), cache.prefixCaching()));
    }

    public ChatOptions withPrefixCaching(boolean on) {
        return withCache(new CacheOptions(cache.prefillChunk(), cache.prefillStall(), cache.kvCacheBytes(), on));
    }

    /** The prefill chunks' pace while rows decode ({@link CacheOptions#prefillStall}; 0: fixed chunks). */
    public ChatOptions withPrefillStall(double stall) {
        return withCache(new CacheOptions(cache.prefillChunk(), stall, cache.kvCacheBytes(), cache.prefixCaching()));
    }
}
