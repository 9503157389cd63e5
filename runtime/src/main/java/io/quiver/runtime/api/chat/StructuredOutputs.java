package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.TokenGrammar;
import io.quiver.runtime.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The structured-output fields a request may carry, at most one of them: OpenAI's {@code response_format}
 * ({@code text}, {@code json_object}, {@code json_schema: {name, schema, strict}}), vLLM's {@code structured_outputs}
 * ({@code json}, {@code regex} or {@code choice}; {@code grammar} is refused) and llama.cpp's {@code json_schema}.
 * Each becomes a {@link TokenGrammar} the engine compiles once per distinct source.
 */
final class StructuredOutputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> VLLM_KINDS = Set.of("json", "regex", "choice");

    private StructuredOutputs() {
    }

    /** The request's constraint, or null when it has none. */
    static TokenGrammar grammar(GenerationFields fields, ChatEngine engine) {
        List<String> given = new ArrayList<>();
        JsonNode format = fields.responseFormat();
        if (present(format) && !(format.isObject() && format.path("type").asText("").equals("text"))) {
            given.add("response_format");
        }
        if (present(fields.structuredOutputs())) {
            given.add("structured_outputs");
        }
        if (present(fields.jsonSchema())) {
            given.add("json_schema");
        }
        if (given.isEmpty()) {
            return null;
        }
        if (given.size() > 1) {
            throw ApiException.invalid(given.get(1), "Send one of response_format, structured_outputs and "
                    + "json_schema, not " + given);
        }
        return switch (given.getFirst()) {
            case "response_format" -> responseFormat(format, engine);
            case "structured_outputs" -> vllm(fields.structuredOutputs(), engine);
            default -> schema(fields.jsonSchema(), "json_schema", engine);
        };
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static TokenGrammar responseFormat(JsonNode format, ChatEngine engine) {
        String type = format.isObject() ? format.path("type").asText("") : "";
        return switch (type) {
            case "json_object" -> engine.jsonGrammar(null, "response_format");
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject()) {
                    throw ApiException.invalid("response_format", "response_format.json_schema.schema must be a "
                            + "JSON Schema object");
                }
                yield schema(schema, "response_format", engine);
            }
            default -> throw ApiException.invalid("response_format", "response_format type must be text, "
                    + "json_object or json_schema, was '" + type + "'");
        };
    }

    private static TokenGrammar vllm(JsonNode outputs, ChatEngine engine) {
        if (!outputs.isObject()) {
            throw ApiException.invalid("structured_outputs", "structured_outputs must be an object");
        }
        Set<String> kinds = new TreeSet<>();
        Set<String> unknown = new TreeSet<>();
        outputs.properties().forEach(e -> {
            if (present(e.getValue())) {
                (VLLM_KINDS.contains(e.getKey()) ? kinds : unknown).add(e.getKey());
            }
        });
        if (!unknown.isEmpty()) {
            String first = unknown.iterator().next();
            throw ApiException.invalid("structured_outputs." + first, "structured_outputs." + first + " is not "
                    + "supported by this server (supported: json, regex, choice)");
        }
        if (kinds.size() != 1) {
            throw ApiException.invalid("structured_outputs", "structured_outputs needs exactly one of json, regex "
                    + "and choice, got " + kinds);
        }
        String kind = kinds.iterator().next();
        JsonNode value = outputs.get(kind);
        String param = "structured_outputs." + kind;
        return switch (kind) {
            case "json" -> schema(value.isTextual() ? parse(value.asText(), param) : value, param, engine);
            case "regex" -> {
                if (!value.isTextual()) {
                    throw ApiException.invalid(param, param + " must be a string");
                }
                yield engine.regexGrammar(value.asText(), param);
            }
            default -> {
                List<String> choices = new ArrayList<>();
                if (!value.isArray()) {
                    throw ApiException.invalid(param, param + " must be an array of strings");
                }
                for (JsonNode c : value) {
                    if (!c.isTextual()) {
                        throw ApiException.invalid(param, param + " must be an array of strings");
                    }
                    choices.add(c.asText());
                }
                yield engine.choiceGrammar(choices, param);
            }
        };
    }

    private static TokenGrammar schema(JsonNode schema, String param, ChatEngine engine) {
        if (!schema.isObject() && !schema.isBoolean()) {
            throw ApiException.invalid(param, param + " must be a JSON Schema object");
        }
        return engine.jsonGrammar(schema, param);
    }

    private static JsonNode parse(String text, String param) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(param, param + " is not JSON: " + e.getOriginalMessage());
        }
    }
}
