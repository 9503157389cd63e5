package io.quiver.runtime.metrics;

import io.micrometer.core.instrument.Tags;
import io.quiver.models.chat.ChatEngine;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.function.IntSupplier;

/**
 * The model-server protocol's metrics (Gateway API Inference Extension, docs/proposals/003-model-server-protocol),
 * which its endpoint picker, llm-d's router and KServe's LLMInferenceService scrape to choose a pod for the next
 * request, under Quiver's names; deployment/gateway/endpoint-picker-config.yaml maps them for the picker. Counted
 * in sequences, as vLLM counts them (a request's n completions are n), for each chat model:
 * <ul>
 * <li>{@code quiver_sequences_waiting}: queued requests — rows waiting for a slot under the pod's cap, plus
 * sequences in the engine's queue for a batch row;</li>
 * <li>{@code quiver_sequences_running}: running requests — sequences holding a KV slot;</li>
 * <li>{@code quiver_kv_slots_usage_ratio}: KV-cache utilisation in [0, 1] — the share of blocks in use, a block
 * being one slot (a sequence reserves its whole slot on joining the batch);</li>
 * <li>{@code quiver_kv_cache_info}: {@code block_size} (positions per slot) and {@code num_gpu_blocks} (slots);</li>
 * <li>{@code quiver_lora_info}: {@code max_lora}, {@code running_lora_adapters}, {@code waiting_lora_adapters}
 * ({@link LoraInfo}).</li>
 * </ul>
 * {@code quiver_requests_running|waiting} keep their own meaning (requests under the pod's cap, one per request).
 */
@ApplicationScoped
public class GatewayMetrics {
    private final QuiverMetrics metrics;

    public GatewayMetrics(QuiverMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Registers the series of a model now served; only chat models have them. {@code waitingRows}: the batch rows
     * of the model's requests waiting for a slot under the pod's cap.
     */
    public void serve(String model, Object engine, IntSupplier waitingRows) {
        if (!(engine instanceof ChatEngine chat)) {
            return;
        }
        Tags tags = Tags.of("model", model);
        metrics.gauge("quiver.sequences.waiting", "Sequences waiting to run: batch rows of requests waiting for a "
                + "slot under the pod's cap, and sequences queued for a batch row", tags,
                () -> waitingRows.getAsInt() + chat.waiting());
        metrics.gauge("quiver.sequences.running", "Sequences holding a KV-cache slot (prefilling or decoding)", tags,
                chat::running);
        metrics.gauge("quiver.kv.slots.usage.ratio", "KV-cache slots held by sequences over all slots", tags,
                chat::slotUsage);
        metrics.gauge("quiver.kv.cache.info", "The KV cache's blocks: block_size positions each (one slot), "
                + "num_gpu_blocks of them (the slots)", tags.and("block_size", Integer.toString(chat.contextLength()),
                "num_gpu_blocks", Integer.toString(chat.maxBatch())), () -> 1);
        LoraInfo info = new LoraInfo(metrics.registry(), model, chat::lora, () -> Instant.now().getEpochSecond());
        chat.adapters().onChange(info::refresh);
    }
}
