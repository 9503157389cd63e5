package io.quiver.runtime.api.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.ChatProtocol.StreamOptions;
import io.quiver.runtime.api.chat.GenerationFields;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code POST /v1/messages} body: Anthropic's fields, each checked as Anthropic's API checks it (ranges,
 * {@code max_tokens} required), and its sampling fields as the engine takes them. A field this server does not
 * read is a 400 naming it, never silently dropped; {@code metadata}, {@code service_tier} and {@code cache_control}
 * are read and have nothing to change here (one tier, and the engine keeps prompt prefixes on its own).
 */
public record MessagesRequest(
        String model,
        JsonNode messages,
        JsonNode system,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("stop_sequences") JsonNode stopSequences,
        Boolean stream,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        JsonNode tools,
        @JsonProperty("tool_choice") JsonNode toolChoice,
        JsonNode thinking,
        JsonNode metadata,
        @JsonProperty("service_tier") String serviceTier,
        @JsonProperty("cache_control") JsonNode cacheControl,
        @JsonProperty("output_config") JsonNode outputConfig) implements GenerationFields {

    static final Set<String> FIELDS = Set.of("model", "messages", "system", "max_tokens", "stop_sequences", "stream",
            "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "metadata", "service_tier",
            "cache_control", "output_config");
    /** What {@code POST /v1/messages/count_tokens} reads: the prompt's fields alone. */
    static final Set<String> COUNT_FIELDS = Set.of("model", "messages", "system", "tools", "tool_choice", "thinking",
            "cache_control", "output_config");

    /** How reasoning is shown: as thinking blocks, as empty thinking blocks ({@code display: omitted}), or not. */
    enum Thinking { SHOWN, OMITTED, HIDDEN }

    /** Reads and checks a body: a message to generate, or ({@code generates} false) a prompt to count. */
    static MessagesRequest read(JsonNode body, boolean generates, ObjectMapper json) {
        Set<String> fields = generates ? FIELDS : COUNT_FIELDS;
        if (body == null || body.isNull()) {
            throw invalid("A JSON request body is required");
        }
        if (!body.isObject()) {
            throw invalid("The request body must be a JSON object");
        }
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw invalid(String.join(", ", unknown) + ": not supported by this server; it reads "
                    + new TreeSet<>(fields));
        }
        MessagesRequest request;
        try {
            request = json.treeToValue(body, MessagesRequest.class);
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "body" : e.getPath().getFirst().getFieldName();
            throw invalid(field + ": invalid type");
        } catch (JsonProcessingException e) {
            throw invalid("Invalid request body: " + e.getOriginalMessage());
        }
        request.check(generates);
        return request;
    }

    private void check(boolean generates) {
        if (generates) {
            if (maxTokens == null) {
                throw invalid("max_tokens: Field required");
            }
            if (maxTokens < 1) {
                throw invalid("max_tokens: must be at least 1, was " + maxTokens);
            }
        }
        if (temperature != null && !(temperature >= 0 && temperature <= 1)) {
            throw invalid("temperature: must be between 0 and 1, was " + temperature);
        }
        if (topP != null && !(topP >= 0 && topP <= 1)) {
            throw invalid("top_p: must be between 0 and 1, was " + topP);
        }
        if (topK != null && topK < 0) {
            throw invalid("top_k: must be 0 or more, was " + topK);
        }
        stopStrings();
        if (present(metadata)) {
            if (!metadata.isObject() || metadata.size() > (metadata.has("user_id") ? 1 : 0)
                    || present(metadata.get("user_id")) && !metadata.get("user_id").isTextual()) {
                throw invalid("metadata: must be {user_id: string}");
            }
        }
        if (serviceTier != null && !Set.of("auto", "standard_only").contains(serviceTier)) {
            throw invalid("service_tier: must be auto or standard_only, was '" + serviceTier + "'");
        }
        if (present(cacheControl) && !cacheControl.isObject()) {
            throw invalid("cache_control: must be an object");
        }
        thinkingShown();
        outputSchema();
    }

    /**
     * {@code output_config.format} ({@code {type: json_schema, schema}}): the answer constrained to the schema, as
     * the chat route's structured outputs are (same automaton, same schema subset). {@code effort} is refused: the
     * engine has no such knob.
     */
    JsonNode outputSchema() {
        if (!present(outputConfig)) {
            return null;
        }
        if (!outputConfig.isObject()) {
            throw invalid("output_config: must be an object {format}");
        }
        for (Iterator<String> names = outputConfig.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("format") && present(outputConfig.get(name))) {
                throw invalid("output_config." + name + ": not supported by this server");
            }
        }
        JsonNode format = outputConfig.get("format");
        if (!present(format)) {
            return null;
        }
        if (!format.isObject() || !format.path("type").asText("").equals("json_schema")
                || !format.path("schema").isObject() || format.size() != 2) {
            throw invalid("output_config.format: must be {type: json_schema, schema: object}");
        }
        return format.get("schema");
    }

    /** {@code stop_sequences}: at most {@value GenerationFields#MAX_STOP_STRINGS} strings, none empty. */
    List<String> stopStrings() {
        if (!present(stopSequences)) {
            return List.of();
        }
        if (!stopSequences.isArray() || stopSequences.size() > MAX_STOP_STRINGS) {
            throw invalid("stop_sequences: must be an array of at most " + MAX_STOP_STRINGS + " strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : stopSequences) {
            if (!s.isTextual() || s.asText().isEmpty()) {
                throw invalid("stop_sequences: must hold non-empty strings only");
            }
            out.add(s.asText());
        }
        return out;
    }

    /**
     * {@code thinking}: {@code enabled} (with {@code budget_tokens}, at least 1 and below {@code max_tokens}, as
     * Anthropic requires), {@code adaptive} or {@code disabled}. A reasoning model reasons whatever it says (its
     * template opens the reasoning); {@code disabled} leaves its thinking blocks out of the answer, and the budget is
     * not a separate cap: reasoning counts toward {@code max_tokens}, as Anthropic's does.
     */
    Thinking thinkingShown() {
        if (!present(thinking)) {
            return Thinking.SHOWN;
        }
        String type = thinking.path("type").asText("");
        Set<String> keys = switch (type) {
            case "enabled" -> Set.of("type", "budget_tokens", "display");
            case "adaptive" -> Set.of("type", "display");
            case "disabled" -> Set.of("type");
            default -> throw invalid("thinking.type: must be enabled, adaptive or disabled, was '" + type + "'");
        };
        for (Iterator<String> names = thinking.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!keys.contains(name)) {
                throw invalid("thinking." + name + ": not read with thinking.type " + type);
            }
        }
        if (type.equals("enabled")) {
            JsonNode budget = thinking.get("budget_tokens");
            if (budget == null || !budget.canConvertToInt() || !budget.isIntegralNumber() || budget.asInt() < 1) {
                throw invalid("thinking.budget_tokens: must be a positive integer");
            }
            if (maxTokens != null && budget.asInt() >= maxTokens) {
                throw invalid("thinking.budget_tokens: must be less than max_tokens (" + maxTokens + "), was "
                        + budget.asInt());
            }
        }
        if (type.equals("disabled")) {
            return Thinking.HIDDEN;
        }
        String display = thinking.path("display").asText("summarized");
        return switch (display) {
            case "summarized" -> Thinking.SHOWN;
            case "omitted" -> Thinking.OMITTED;
            default -> throw invalid("thinking.display: must be summarized or omitted, was '" + display + "'");
        };
    }

    static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    static ApiException invalid(String message) {
        return ApiException.invalid(null, message);
    }

    /** A stream always ends with {@code message_delta}, which carries the usage. */
    @Override
    public boolean includeUsage() {
        return true;
    }

    @Override
    public Integer tokenLimit() {
        return maxTokens;
    }

    @Override
    public String tokenLimitParam() {
        return "max_tokens";
    }

    @Override
    public JsonNode stop() {
        return stopSequences;
    }

    @Override
    public int scoredAlternatives() {
        return -1;
    }

    /** {@code output_config.format}'s schema, taken as llama.cpp's {@code json_schema} field is. */
    @Override
    public JsonNode jsonSchema() {
        return outputSchema();
    }

    @Override
    public String jsonSchemaParam() {
        return "output_config.format.schema";
    }
}
