package io.quiver.runtime.api.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.encoder.EncoderModel;
import io.quiver.models.encoder.Encoding;
import io.quiver.runtime.api.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the shapes an embeddings {@code input} may take — a string, an array of strings, an array of token ids,
 * an array of such arrays — into encodings, with the errors OpenAI gives for anything else.
 */
public final class EncoderInputs {
    /** OpenAI's own limit on inputs per request. */
    public static final int MAX_INPUTS = 2048;

    private EncoderInputs() {
    }

    public static List<Encoding> parse(JsonNode input, EncoderModel model, boolean truncate, String param) {
        if (input == null || input.isNull() || input.isMissingNode()) {
            throw ApiException.invalid(param, "'" + param + "' is required");
        }
        if (input.isTextual()) {
            return List.of(text(input, model, truncate, param));
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiException.invalid(param, "'" + param
                    + "' must be a non-empty string, array of strings, array of token ids or array of token-id arrays");
        }
        if (input.get(0).isIntegralNumber()) {
            return List.of(ids(input, model, truncate, param));
        }
        checkCount(input.size(), param);
        List<Encoding> out = new ArrayList<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String at = param + "[" + i + "]";
            out.add(item.isArray() ? ids(item, model, truncate, at) : text(item, model, truncate, at));
        }
        return out;
    }

    /** Every encoder route takes at most {@link #MAX_INPUTS} inputs, which also bounds the size of its answer. */
    public static void checkCount(int inputs, String param) {
        if (inputs > MAX_INPUTS) {
            throw ApiException.invalid(param, "at most " + MAX_INPUTS + " inputs per request, got " + inputs);
        }
    }

    private static Encoding text(JsonNode node, EncoderModel model, boolean truncate, String param) {
        if (!node.isTextual()) {
            throw ApiException.invalid(param, "'" + param + "' must be a string or an array of token ids");
        }
        if (node.asText().isEmpty()) {
            throw ApiException.invalid(param, "'" + param + "' must not be empty");
        }
        return model.encode(node.asText(), truncate, param);
    }

    private static Encoding ids(JsonNode node, EncoderModel model, boolean truncate, String param) {
        long[] ids = new long[node.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!node.get(i).isIntegralNumber()) {
                throw ApiException.invalid(param, "'" + param + "' mixes token ids with other values");
            }
            ids[i] = node.get(i).asLong();
        }
        return model.fromIds(ids, truncate, param);
    }
}
