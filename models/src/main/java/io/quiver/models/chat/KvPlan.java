package io.quiver.models.chat;

import io.quiver.models.ModelLoadException;
import io.quiver.models.PodMemory;
import java.nio.file.Path;

/**
 * How an engine holds its KV cache, decided at load. A GroupQueryAttention graph on the CPU gets one cache written
 * in place ({@link SharedKvExecutor}), sized for every slot at the full context when that fits the budget
 * ({@link ChatOptions.CacheOptions#kvCacheBytes}, by default a quarter of the pod's memory), else with fewer positions per slot:
 * the context the engine then serves. Any other graph, or a CUDA placement (ONNX Runtime's Java API cannot bind
 * device memory, so a shared host buffer would not stay shared), keeps a cache that grows by a copy each step.
 *
 * @param capacity positions per sequence: the context length served
 * @param bytes    the cache's size at full use
 * @param why      for a growing cache, the reason
 */
record KvPlan(boolean inPlace, int capacity, long bytes, String why) {

    static KvPlan of(ChatModel model, ChatOptions options, int context) {
        DecoderSession decoder = model.decoder;
        int slots = options.maxBatch();
        long perToken = 2L * decoder.layers * decoder.layout.kvHeads() * decoder.layout.vectorBytes();
        long full = perToken * context * slots;
        if (!decoder.layout.rightPadded()) {
            return new KvPlan(false, context, full, "the graph has no GroupQueryAttention, whose past and present "
                    + "can share one buffer");
        }
        if (model.placement.onGpu()) {
            return new KvPlan(false, context, full, "on CUDA the past is fed from host memory each step");
        }
        long budget = options.cache().kvCacheBytes() > 0 ? options.cache().kvCacheBytes() : Math.min(full, PodMemory.bytes() / 4);
        long capacity = Math.min(context, budget / (perToken * slots));
        if (capacity < 2) {
            throw new ModelLoadException(decoder.file(), String.format("a KV cache of %d MiB holds %d positions for "
                    + "each of %d rows (%d bytes a position); raise kv-cache-size or lower max-batch", budget >> 20,
                    capacity, slots, perToken));
        }
        return new KvPlan(true, (int) capacity, perToken * capacity * slots, null);
    }

    /** The load log's line. */
    String describe(int slots, Path graph) {
        if (!inPlace) {
            return "KV cache of " + graph + ": grows by a copy each step (" + why + "); " + slots + " rows × "
                    + capacity + " positions, " + (bytes >> 20) + " MiB at most";
        }
        return "KV cache of " + graph + ": written in place, " + slots + " slots × " + capacity + " positions, "
                + (bytes >> 20) + " MiB reserved";
    }
}
