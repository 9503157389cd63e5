package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.GrammarSource;
import io.quiver.models.chat.TokenGrammar;
import io.quiver.runtime.admission.ClientGoneException;
import io.quiver.runtime.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The structured-output fields a request may carry, at most one of them: OpenAI's {@code response_format}
 * ({@code text}, {@code json_object}, {@code json_schema: {name, schema, strict}}), vLLM's {@code structured_outputs}
 * ({@code json}, {@code regex} or {@code choice}; {@code grammar} is refused) and llama.cpp's {@code json_schema}.
 * Each is checked on the request's thread and becomes a {@link GrammarSource}, which the engine compiles on its own
 * threads (once per distinct source, within its grammar limits) while the request waits without a slot.
 */
final class StructuredOutputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> VLLM_KINDS = Set.of("json", "regex", "choice");

    private StructuredOutputs() {
    }

    /**
     * The request's constraint compiled for its model, or null when it has none: its structured output
     * ({@link #source}), or a forced tool call. Waits for the compile at most until {@code deadlineNanos}; the caller holds no slot meanwhile.
     */
    static TokenGrammar grammar(GrammarSource structured, ToolUse tools, ChatEngine engine, long deadlineNanos) {
        GrammarSource forced = tools == null ? null : tools.on(engine).source();
        if (structured != null && forced != null) {
            throw ApiException.invalid("tool_choice", "A required or named tool_choice cannot be combined with "
                    + "structured outputs");
        }
        GrammarSource source = forced != null ? forced : structured;
        return source == null ? null : compile(engine, source, deadlineNanos);
    }

    private static TokenGrammar compile(ChatEngine engine, GrammarSource source, long deadlineNanos) {
        try {
            return engine.grammars().get(source, deadlineNanos);
        } catch (TimeoutException e) {
            throw new ApiException(504, "timeout_error", source.param(), "request_timeout", "The grammar of "
                    + source.param() + " did not compile within quiver.request-timeout", Map.of());
        } catch (InterruptedException e) {
            throw new ClientGoneException();
        } catch (RejectedExecutionException e) {
            throw new ApiException(503, "server_overloaded", source.param(), "grammars_busy", "Too many grammars "
                    + "are waiting to compile; retry shortly", Map.of("Retry-After", "1"));
        } catch (CancellationException e) {
            throw new ApiException(503, "server_overloaded", null, "shutting_down", "The server is shutting down "
                    + "and stopped this request; retry on another replica", Map.of("Retry-After", "1"));
        }
    }

    /** The request's structured output, checked but not compiled, or null when it has none. */
    static GrammarSource source(GenerationFields fields) {
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
            case "response_format" -> responseFormat(format);
            case "structured_outputs" -> vllm(fields.structuredOutputs());
            default -> schema(fields.jsonSchema(), fields.jsonSchemaParam());
        };
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    private static GrammarSource responseFormat(JsonNode format) {
        String type = format.isObject() ? format.path("type").asText("") : "";
        return switch (type) {
            case "json_object" -> new GrammarSource.Json(null, "response_format");
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject()) {
                    throw ApiException.invalid("response_format", "response_format.json_schema.schema must be a "
                            + "JSON Schema object");
                }
                yield schema(schema, "response_format");
            }
            default -> throw ApiException.invalid("response_format", "response_format type must be text, "
                    + "json_object or json_schema, was '" + type + "'");
        };
    }

    private static GrammarSource vllm(JsonNode outputs) {
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
            case "json" -> schema(value.isTextual() ? parse(value.asText(), param) : value, param);
            case "regex" -> {
                if (!value.isTextual()) {
                    throw ApiException.invalid(param, param + " must be a string");
                }
                yield new GrammarSource.Regex(value.asText(), param);
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
                yield new GrammarSource.Choice(choices, param);
            }
        };
    }

    private static GrammarSource schema(JsonNode schema, String param) {
        if (!schema.isObject() && !schema.isBoolean()) {
            throw ApiException.invalid(param, param + " must be a JSON Schema object");
        }
        return new GrammarSource.Json(schema, param);
    }

    private static JsonNode parse(String text, String param) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(param, param + " is not JSON: " + e.getOriginalMessage());
        }
    }
}
