package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.ModelFolder;
import io.quiver.models.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the chat engine reads off a model folder's JSON: config.json (type, vocabulary, context length),
 * generation_config.json (end tokens, sampling defaults) and tokenizer_config.json (template, special tokens) — or,
 * for an onnxruntime-genai export, genai_config.json in place of the first two ({@link GenaiConfig}). The template
 * is tokenizer_config.json's {@code chat_template}, else the file chat_template.jinja (where transformers now saves
 * it, and so the model builder's folders have it).
 */
record ModelSpec(String modelType, int vocabSize, int maxPositions, Set<Integer> eosIds, SamplingParams defaults,
                 String chatTemplate, String bosToken, String eosToken, boolean addBos) {

    static ModelSpec read(ModelFolder folder) {
        JsonNode config = folder.config();
        if (config.isMissingNode()) {
            throw new ModelLoadException(folder.root().resolve("config.json"), "missing");
        }
        JsonNode generation = folder.json("generation_config.json");
        JsonNode tokenizer = folder.json("tokenizer_config.json");

        int vocab = config.path("vocab_size").asInt(0);
        if (vocab <= 0) {
            throw new ModelLoadException(folder.root().resolve("config.json"), "no vocab_size");
        }
        int positions = config.path("max_position_embeddings").asInt(0);
        if (positions <= 0) {
            positions = tokenizer.path("model_max_length").asInt(2048);
        }
        Set<Integer> eos = new LinkedHashSet<>();
        addIds(eos, generation.path("eos_token_id"));
        if (eos.isEmpty()) {
            addIds(eos, config.path("eos_token_id"));
        }
        SamplingParams defaults = new SamplingParams(
                generation.path("do_sample").asBoolean(true) ? generation.path("temperature").asDouble(1.0) : 0.0,
                generation.path("top_p").asDouble(1.0),
                generation.path("top_k").asInt(0),
                generation.path("min_p").asDouble(0.0),
                null, 0, 0,
                generation.path("repetition_penalty").asDouble(1.0));
        return withTokenizer(folder, tokenizer, config.path("model_type").asText("unknown"), vocab, positions,
                Set.copyOf(eos), defaults);
    }

    static ModelSpec read(ModelFolder folder, GenaiConfig genai) {
        return withTokenizer(folder, folder.json("tokenizer_config.json"), genai.type(), genai.vocabSize(),
                genai.contextLength(), genai.eosIds(), genai.defaults());
    }

    private static ModelSpec withTokenizer(ModelFolder folder, JsonNode tokenizer, String type, int vocab,
                                           int positions, Set<Integer> eos, SamplingParams defaults) {
        String template = template(tokenizer.path("chat_template"));
        if (template == null) {
            template = jinja(folder.root().resolve("chat_template.jinja"));
        }
        return new ModelSpec(type, vocab, positions, eos, defaults, template, token(tokenizer.path("bos_token")),
                token(tokenizer.path("eos_token")), tokenizer.path("add_bos_token").asBoolean(false));
    }

    private static String jinja(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ModelLoadException(file, "not readable: " + e.getClass().getSimpleName());
        }
    }

    private static void addIds(Set<Integer> into, JsonNode node) {
        if (node.isInt()) {
            into.add(node.asInt());
        } else if (node.isArray()) {
            node.forEach(n -> into.add(n.asInt()));
        }
    }

    /** A special token as tokenizer_config.json writes it: a string or an AddedToken object with "content". */
    private static String token(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        return node.path("content").isTextual() ? node.path("content").asText() : null;
    }

    /** chat_template as a string, or the "default" entry of a list of named templates. */
    private static String template(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode entry : node) {
                if ("default".equals(entry.path("name").asText())) {
                    return entry.path("template").asText();
                }
            }
            return node.path(0).path("template").asText(null);
        }
        return null;
    }
}
