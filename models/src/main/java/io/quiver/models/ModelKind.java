package io.quiver.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a model folder serves; decides which engine loads it and which routes accept it. */
public enum ModelKind {
    EMBEDDING, CLASSIFIER, RERANKER, CHAT, DIFFUSION;

    /**
     * Reads the kind off a Hugging Face-style folder: model_index.json, generation config, or the architecture; an
     * onnxruntime-genai export (genai_config.json) is a chat model.
     */
    public static ModelKind detect(Path folder) {
        if (Files.exists(folder.resolve("model_index.json"))) {
            return DIFFUSION;
        }
        if (Files.exists(folder.resolve("genai_config.json"))) {
            return CHAT;
        }
        JsonNode config = ModelFolder.of(folder).config();
        String arch = config.path("architectures").path(0).asText("");
        if (arch.endsWith("ForCausalLM") || Files.exists(folder.resolve("generation_config.json"))) {
            return CHAT;
        }
        if (arch.endsWith("ForSequenceClassification")) {
            // Cross-encoders (rerankers) score a pair with one logit; classifiers name their labels.
            return config.path("id2label").size() == 1 || config.path("num_labels").asInt(2) == 1 ? RERANKER : CLASSIFIER;
        }
        return EMBEDDING;
    }
}
