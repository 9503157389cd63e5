package io.quiver.runtime.api.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.models.chat.GrammarSource;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.ChatProtocol.StreamOptions;
import io.quiver.runtime.api.chat.GenerationFields;
import java.util.Map;
import java.util.Set;

/**
 * A {@code POST /v1/responses} request: OpenAI's fields that Quiver serves, plus the sampling extensions vLLM's
 * Responses route takes ({@code top_k}, {@code seed}, {@code stop}, {@code repetition_penalty}, {@code ignore_eos};
 * and {@code min_p}, as on chat). {@link ResponseFields} decides which other fields are accepted and ignored and
 * which are refused; {@link #check} refuses the values of served fields that ask for what Quiver does not do.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResponsesRequest(String model, JsonNode input, String instructions, Boolean stream,
                               Integer maxOutputTokens, Double temperature, Double topP, JsonNode tools,
                               JsonNode toolChoice, Boolean parallelToolCalls, JsonNode text, JsonNode reasoning,
                               JsonNode metadata, String user, JsonNode include, String truncation,
                               String previousResponseId, Boolean background, Integer topLogprobs, Integer topK,
                               Double minP, Long seed, JsonNode stop, Double repetitionPenalty, Boolean ignoreEos)
        implements GenerationFields {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> TEXT_FIELDS = Set.of("format", "verbosity");
    private static final Set<String> SCHEMA_FIELDS = Set.of("type", "name", "schema", "description", "strict");

    /** The body's fields checked against {@link ResponseFields}, then read; a field of the wrong type is a 400. */
    static ResponsesRequest read(JsonNode body, ObjectMapper json) throws JsonProcessingException {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "The request body must be a JSON object");
        }
        ResponseFields.check((ObjectNode) body);
        return json.treeToValue(body, ResponsesRequest.class);
    }

    /** Refuses what needs no model: a stored conversation, background work, truncation, extra output. */
    void check() {
        if (input == null || input.isNull()) {
            throw ApiException.invalid("input", "input is required: a string or an array of input items");
        }
        if (previousResponseId != null) {
            throw ApiException.invalid("previous_response_id", "previous_response_id is not supported: this server "
                    + "stores no responses (store: false semantics); send the earlier turns' output items back in "
                    + "input instead");
        }
        if (Boolean.TRUE.equals(background)) {
            throw ApiException.invalid("background", "background responses need a response store, which this "
                    + "server does not keep; leave background unset or false");
        }
        if (truncation != null && !truncation.equals("disabled")) {
            throw ApiException.invalid("truncation", "truncation must be 'disabled' (an input longer than the "
                    + "context is refused, not truncated), was '" + truncation + "'");
        }
        checkInclude();
        if (topLogprobs != null && topLogprobs != 0) {
            throw ApiException.invalid("top_logprobs", "top_logprobs is not supported on /v1/responses; "
                    + "/v1/chat/completions has logprobs");
        }
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            throw ApiException.invalid("metadata", "metadata must be an object of string values");
        }
        if (reasoning != null && !reasoning.isNull() && !reasoning.isObject()) {
            throw ApiException.invalid("reasoning", "reasoning must be an object: {effort, summary}");
        }
        checkText();
    }

    /**
     * {@code include} may ask for encrypted reasoning, which stateless clients send back on their next turn: the
     * reasoning items already hold their text in the open and are accepted back as they are. Anything else it
     * names is output this server does not produce.
     */
    private void checkInclude() {
        if (include == null || include.isNull()) {
            return;
        }
        if (!include.isArray()) {
            throw ApiException.invalid("include", "include must be an array");
        }
        for (JsonNode value : include) {
            if (!value.asText().equals("reasoning.encrypted_content")) {
                throw ApiException.invalid("include", "include '" + value.asText() + "' is not supported: this "
                        + "server adds no extra output data");
            }
        }
    }

    private void checkText() {
        if (text == null || text.isNull()) {
            return;
        }
        if (!text.isObject()) {
            throw ApiException.invalid("text", "text must be an object: {format}");
        }
        text.fieldNames().forEachRemaining(name -> {
            if (!TEXT_FIELDS.contains(name)) {
                throw ApiException.invalid("text." + name, "text." + name + " is not supported (text takes format)");
            }
        });
        JsonNode verbosity = text.get("verbosity");
        if (verbosity != null && !verbosity.isNull() && !verbosity.asText().equals("medium")) {
            throw ApiException.invalid("text.verbosity", "text.verbosity cannot be set on this server's models");
        }
        JsonNode format = text.get("format");
        if (format != null && format.isObject() && format.path("type").asText("").equals("json_schema")) {
            format.fieldNames().forEachRemaining(name -> {
                if (!SCHEMA_FIELDS.contains(name)) {
                    throw ApiException.invalid("text.format." + name, "text.format." + name + " is not a field "
                            + "of a json_schema format (" + SCHEMA_FIELDS + ")");
                }
            });
        }
    }

    /** {@code text.format}: {@code text} (none), {@code json_object} or {@code json_schema: {name, schema}}. */
    @Override
    public GrammarSource structured() {
        JsonNode format = text == null ? null : text.get("format");
        if (format == null || format.isNull()) {
            return null;
        }
        String type = format.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> new GrammarSource.Json(null, "text.format");
            case "json_schema" -> {
                JsonNode schema = format.get("schema");
                if (schema == null || !schema.isObject() && !schema.isBoolean()) {
                    throw ApiException.invalid("text.format.schema", "text.format.schema must be a JSON Schema "
                            + "object");
                }
                yield new GrammarSource.Json(schema, "text.format");
            }
            default -> throw ApiException.invalid("text.format.type", "text.format.type must be text, json_object or "
                    + "json_schema, was '" + type + "'");
        };
    }

    /** {@code parallel_tool_calls}: true unless the request says false (then at most one call is kept). */
    boolean parallel() {
        return !Boolean.FALSE.equals(parallelToolCalls);
    }

    JsonNode echoedMetadata() {
        return metadata == null || metadata.isNull() ? NODES.objectNode() : metadata;
    }

    JsonNode echoedReasoning() {
        return reasoning == null || reasoning.isNull() ? NODES.objectNode().putNull("effort").putNull("summary")
                : reasoning;
    }

    JsonNode echoedText() {
        return text == null || text.isNull() || !text.has("format")
                ? NODES.objectNode().set("format", NODES.objectNode().put("type", "text")) : text;
    }

    JsonNode echoedToolChoice() {
        return toolChoice == null || toolChoice.isNull() ? NODES.textNode("auto") : toolChoice;
    }

    JsonNode echoedTools() {
        return tools == null || tools.isNull() ? NODES.arrayNode() : tools;
    }

    @Override
    public Integer tokenLimit() {
        return maxOutputTokens;
    }

    @Override
    public String tokenLimitParam() {
        return "max_output_tokens";
    }

    @Override
    public int scoredAlternatives() {
        return -1;
    }

    /** Names the engine's refusals use, as this API names the same fields. */
    static final Map<String, String> PARAMS = Map.of("messages", "input", "prompt", "input", "max_tokens",
            "max_output_tokens");
}
