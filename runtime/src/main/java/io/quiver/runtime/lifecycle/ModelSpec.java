package io.quiver.runtime.lifecycle;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quiver.models.EmbeddedModels;
import io.quiver.models.ModelKind;
import io.quiver.runtime.config.Adapters;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.config.QuiverConfig.Model;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One model to serve: its served name and settings, from configuration or the embedded defaults.
 *
 * @param adapters chat: LoRA adapters to load at start, name → file (relative to the model's folder, or absolute)
 */
public record ModelSpec(String name, String path, Optional<ModelKind> kind, int maxBatch, Duration maxBatchDelay,
                        int concurrentBatches, Optional<String> onnxFile, int contextLength,
                        Optional<String> chatTemplate, boolean reasoning, int prefillChunk, double prefillStall, long kvCacheBytes,
                        boolean prefixCaching, Map<String, String> adapters, int maxAdapters) {

    /** The configured models, or with none configured, the embedded defaults so every route answers. */
    public static Map<String, ModelSpec> from(QuiverConfig config) {
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        config.models().forEach((name, m) -> specs.put(name, new ModelSpec(name, m.path(), m.kind(), m.maxBatch(),
                m.maxBatchDelay(), m.concurrentBatches(), m.onnxFile(), m.contextLength().orElse(0), m.chatTemplate(),
                m.reasoning(), m.prefillChunk(), m.prefillStall(), m.kvCacheSize().map(size -> size.asLongValue()).orElse(0L),
                m.prefixCaching(), Adapters.parse(m.adapters().orElse(null)), m.maxAdapters())));
        if (specs.isEmpty()) {
            for (Map.Entry<String, String> d : DEFAULTS.entrySet()) {
                String name = d.getKey();
                specs.put(name, new ModelSpec(name, d.getValue(), Optional.empty(),
                        Integer.parseInt(Model.MAX_BATCH), DurationConverter.parseDuration(Model.MAX_BATCH_DELAY),
                        Integer.parseInt(Model.CONCURRENT_BATCHES), Optional.empty(), 0, Optional.empty(),
                        Boolean.parseBoolean(Model.REASONING), Integer.parseInt(Model.PREFILL_CHUNK),
                        Double.parseDouble(Model.PREFILL_STALL), 0,
                        Boolean.parseBoolean(Model.PREFIX_CACHING), Map.of(), Integer.parseInt(Model.MAX_ADAPTERS)));
            }
        }
        return specs;
    }

    /** A request's model names a model or an adapter: no name may mean both, nor two models' adapters. */
    static void checkAdapterNames(Map<String, ModelSpec> specs) {
        Map<String, String> owner = new LinkedHashMap<>();
        for (ModelSpec spec : specs.values()) {
            for (String adapter : spec.adapters().keySet()) {
                String taken = specs.containsKey(adapter) ? "a model" : owner.get(adapter);
                if (taken != null) {
                    throw new IllegalArgumentException("LoRA adapter " + adapter + " of model " + spec.name()
                            + " has the name of " + (specs.containsKey(adapter) ? taken : "an adapter of " + taken)
                            + "; requests name adapters by their own name, so each must be unique");
                }
                owner.put(adapter, spec.name());
            }
        }
    }

    /**
     * Served when no model is configured, name → embedded path: a real embedding model and random-weight fixtures of
     * each family. The chat model is the onnxruntime-genai builder's export, the layout the engine is fastest on.
     */
    static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put(EmbeddedModels.MINILM, EmbeddedModels.SCHEME + EmbeddedModels.MINILM);
        DEFAULTS.put("tiny-random-deepseek-r1", EmbeddedModels.SCHEME + "tiny-random-deepseek-r1-genai");
        DEFAULTS.put("tiny-random-sd", EmbeddedModels.SCHEME + "tiny-random-sd");
    }
}
