package io.quiver.runtime.lifecycle;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quiver.models.EmbeddedModels;
import io.quiver.models.ModelKind;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.config.QuiverConfig.Model;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One model to serve: its served name and settings, from configuration or the embedded defaults. */
public record ModelSpec(String name, String path, Optional<ModelKind> kind, int maxBatch, Duration maxBatchDelay,
                        int concurrentBatches, Optional<String> onnxFile, int contextLength,
                        Optional<String> chatTemplate, boolean reasoning) {

    /** The configured models, or with none configured, the embedded defaults so every route answers. */
    public static Map<String, ModelSpec> from(QuiverConfig config) {
        Map<String, ModelSpec> specs = new LinkedHashMap<>();
        config.models().forEach((name, m) -> specs.put(name, new ModelSpec(name, m.path(), m.kind(), m.maxBatch(),
                m.maxBatchDelay(), m.concurrentBatches(), m.onnxFile(), m.contextLength().orElse(0), m.chatTemplate(),
                m.reasoning())));
        if (specs.isEmpty()) {
            for (String name : DEFAULTS) {
                specs.put(name, new ModelSpec(name, EmbeddedModels.SCHEME + name, Optional.empty(),
                        Integer.parseInt(Model.MAX_BATCH), DurationConverter.parseDuration(Model.MAX_BATCH_DELAY),
                        Integer.parseInt(Model.CONCURRENT_BATCHES), Optional.empty(), 0, Optional.empty(),
                        Boolean.parseBoolean(Model.REASONING)));
            }
        }
        return specs;
    }

    /** Served when no model is configured: a real embedding model and random-weight fixtures of each family. */
    static final List<String> DEFAULTS = List.of(EmbeddedModels.MINILM, "tiny-random-deepseek-r1", "tiny-random-sd");
}
