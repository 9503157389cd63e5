package io.quiver.runtime.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.runtime.api.ApiException;
import java.util.Map;
import java.util.Set;

/**
 * Which top-level fields {@code POST /v1/responses} takes. Served fields are read by {@link ResponsesRequest}.
 * Accepted and ignored are those that cannot change the answer Quiver gives (billing tiers, cache routing hints,
 * stream obfuscation, limits on OpenAI's hosted tools, and {@code store}: nothing is ever stored). Every other field
 * is refused with a 400 naming it, so that a client never gets silently less than it asked for.
 */
final class ResponseFields {
    static final Set<String> SERVED = Set.of("model", "input", "instructions", "stream", "max_output_tokens",
            "temperature", "top_p", "tools", "tool_choice", "parallel_tool_calls", "text", "reasoning", "metadata",
            "user", "include", "truncation", "previous_response_id", "background", "top_logprobs", "top_k", "min_p",
            "seed", "stop", "repetition_penalty", "ignore_eos");
    static final Set<String> IGNORED = Set.of("store", "service_tier", "prompt_cache_key", "prompt_cache_retention",
            "safety_identifier", "stream_options", "max_tool_calls");
    /** Refusals that say what to do instead. */
    private static final Map<String, String> REFUSED = Map.of(
            "conversation", "conversation needs conversations stored on the server; this server keeps none: send the "
                    + "whole conversation as input items",
            "prompt", "prompt names a template stored on OpenAI's side; send instructions and input instead",
            "context_management", "context_management (compaction) is not supported; the input must fit the context",
            "logit_bias", "logit_bias is not supported by this server",
            "n", "a response has one answer; n is not a Responses API field");

    private ResponseFields() {
    }

    static void check(ObjectNode body) {
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            String name = field.getKey();
            if (SERVED.contains(name)) {
                continue;
            }
            if (IGNORED.contains(name)) {
                checkIgnored(name, field.getValue());
                continue;
            }
            if (field.getValue().isNull()) {
                // Clients that send every field send absent ones as null.
                continue;
            }
            throw ApiException.invalid(name, REFUSED.getOrDefault(name, name + " is not supported by this server's "
                    + "/v1/responses (see docs/api.md for what it takes)"));
        }
    }

    /** Ignored, but still of the type OpenAI gives it: a malformed request is not silently served. */
    private static void checkIgnored(String name, JsonNode value) {
        if (value.isNull()) {
            return;
        }
        boolean ok = switch (name) {
            case "store" -> value.isBoolean();
            case "max_tool_calls" -> value.isIntegralNumber();
            case "stream_options" -> value.isObject();
            default -> value.isTextual();
        };
        if (!ok) {
            throw ApiException.invalid(name, "Invalid type for '" + name + "'");
        }
    }
}
