package io.quiver.models.chat;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.ModelFolder;
import io.quiver.models.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * onnxruntime-genai's genai_config.json, as its model builder writes it: the decoder graph's file and I/O names
 * ({@code model.decoder.inputs/outputs}, per-layer templates such as {@code past_key_values.%d.key}), the cache
 * shape, the context length, the special token ids and the search defaults. A folder that has the file is served
 * as an onnxruntime-genai export; what Quiver cannot serve from it fails here, before anything loads.
 *
 * @param contextLength  {@code model.context_length}, capped by {@code search.max_length}
 * @param sharedBuffer   {@code search.past_present_share_buffer}: onnxruntime-genai binds one max-length buffer as
 *                       both past and present; GroupQueryAttention takes a growing past as well, which is how
 *                       Quiver feeds it (ONNX Runtime's Java API has no I/O binding to share a buffer through)
 */
public record GenaiConfig(Path file, String graph, String type, int vocabSize, int contextLength, int layers,
                          int kvHeads, int headSize, Set<Integer> eosIds, int bosId, int padId,
                          SamplingParams defaults, boolean sharedBuffer, DecoderIo io) {
    public static final String FILE = "genai_config.json";
    /** Parts of multi-graph pipelines (vision, speech, embedding models) this loader does not serve. */
    private static final List<String> OTHER_PARTS = List.of("encoder", "vision", "speech", "embedding");

    public static boolean present(ModelFolder folder) {
        return Files.isRegularFile(folder.root().resolve(FILE));
    }

    public static GenaiConfig read(ModelFolder folder) {
        Path file = folder.root().resolve(FILE);
        JsonNode root = folder.json(FILE);
        JsonNode model = root.path("model");
        JsonNode decoder = model.path("decoder");
        for (String part : OTHER_PARTS) {
            if (!model.path(part).isMissingNode()) {
                throw new ModelLoadException(file, "model." + part + " is a multi-part pipeline; only a single "
                        + "decoder graph is served");
            }
        }
        if (decoder.has("pipeline")) {
            throw new ModelLoadException(file, "model.decoder.pipeline (several graphs) is not supported; only a "
                    + "single decoder graph is served");
        }
        JsonNode inputs = decoder.path("inputs");
        JsonNode outputs = decoder.path("outputs");
        if (inputs.has("past_names") || outputs.has("present_names")) {
            throw new ModelLoadException(file, "model.decoder.inputs.past_names (keys and values in one tensor) is "
                    + "not supported; past_key_names and past_value_names are");
        }
        String graph = text(file, decoder, "model.decoder.filename", "filename");
        DecoderIo io = new DecoderIo(
                inputs.path("input_ids").asText("input_ids"),
                inputs.path("attention_mask").asText("attention_mask"),
                inputs.path("position_ids").asText("position_ids"),
                template(file, inputs, "model.decoder.inputs.past_key_names", "past_key_names"),
                template(file, inputs, "model.decoder.inputs.past_value_names", "past_value_names"),
                outputs.path("logits").asText("logits"),
                template(file, outputs, "model.decoder.outputs.present_key_names", "present_key_names"),
                template(file, outputs, "model.decoder.outputs.present_value_names", "present_value_names"),
                inputs.path("seqlens_k").asText("seqlens_k"),
                inputs.path("total_sequence_length").asText("total_sequence_length"));
        JsonNode search = root.path("search");
        int context = positive(file, model, "model.context_length", "context_length");
        int maxLength = search.path("max_length").asInt(0);
        Set<Integer> eos = new LinkedHashSet<>();
        JsonNode eosNode = model.path("eos_token_id");
        if (eosNode.isInt()) {
            eos.add(eosNode.asInt());
        } else if (eosNode.isArray()) {
            eosNode.forEach(n -> eos.add(n.asInt()));
        }
        if (eos.isEmpty()) {
            throw new ModelLoadException(file, "no model.eos_token_id");
        }
        SamplingParams defaults = new SamplingParams(
                search.path("do_sample").asBoolean(false) ? search.path("temperature").asDouble(1.0) : 0.0,
                search.path("top_p").asDouble(1.0),
                search.path("top_k").asInt(0),
                0.0, null, 0, 0,
                search.path("repetition_penalty").asDouble(1.0));
        return new GenaiConfig(file, graph, model.path("type").asText("unknown"),
                positive(file, model, "model.vocab_size", "vocab_size"),
                maxLength > 0 ? Math.min(context, maxLength) : context,
                positive(file, decoder, "model.decoder.num_hidden_layers", "num_hidden_layers"),
                positive(file, decoder, "model.decoder.num_key_value_heads", "num_key_value_heads"),
                positive(file, decoder, "model.decoder.head_size", "head_size"),
                Set.copyOf(eos), model.path("bos_token_id").asInt(-1), model.path("pad_token_id").asInt(-1),
                defaults, search.path("past_present_share_buffer").asBoolean(false), io);
    }

    /** The past key input of a layer, as the graph names it. */
    public String pastKey(int layer) {
        return DecoderIo.layer(io.pastKey(), layer);
    }

    /** The opened graph must be the one this file describes (one line naming the first mismatch). */
    void check(DecoderSession decoder) {
        if (decoder.layers != layers) {
            throw new ModelLoadException(file, "model.decoder.num_hidden_layers is " + layers + " but "
                    + decoder.file().getFileName() + " has " + decoder.layers + " layers of past inputs");
        }
        // The builder's graphs leave the head size symbolic: one token through the graph tells what it computes.
        String sizes = "model.decoder.num_key_value_heads/head_size are " + kvHeads + "/" + headSize + " but "
                + decoder.file().getFileName();
        long[] present;
        try {
            present = decoder.probe(Math.max(bosId, 0));
        } catch (OrtException | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            why = why.substring(why.indexOf("Status Message: ") < 0 ? 0 : why.indexOf("Status Message: ") + 16);
            throw new ModelLoadException(file, sizes + " fails on them: " + why);
        }
        if (decoder.layout.kvHeads() != kvHeads || decoder.layout.headDim() != headSize || present.length != 4
                || present[1] != kvHeads || present[3] != headSize) {
            throw new ModelLoadException(file, sizes + " has " + (present.length == 4 ? present[1] + "/" + present[3]
                    : decoder.layout.kvHeads() + "/" + decoder.layout.headDim()));
        }
        if (sharedBuffer && !decoder.layout.rightPadded()) {
            // Only GroupQueryAttention reads a past longer than its valid positions; any other graph would attend
            // to the rest of a shared buffer.
            throw new ModelLoadException(file, "search.past_present_share_buffer is true but "
                    + decoder.file().getFileName() + " has no GroupQueryAttention; set it false");
        }
    }

    private static String text(Path file, JsonNode node, String path, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new ModelLoadException(file, "no " + path);
        }
        return value.asText();
    }

    private static String template(Path file, JsonNode node, String path, String field) {
        String value = text(file, node, path, field);
        if (!value.contains("%d")) {
            throw new ModelLoadException(file, path + " \"" + value + "\" has no %d for the layer");
        }
        return value;
    }

    private static int positive(Path file, JsonNode node, String path, String field) {
        int value = node.path(field).asInt(0);
        if (value <= 0) {
            throw new ModelLoadException(file, "no " + path);
        }
        return value;
    }
}
