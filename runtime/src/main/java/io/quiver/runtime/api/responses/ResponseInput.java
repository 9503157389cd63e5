package io.quiver.runtime.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.chat.ChatMessage;
import io.quiver.models.chat.ToolCall;
import io.quiver.runtime.api.ApiException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Responses request's {@code instructions} and {@code input} as the chat turns a template renders: instructions
 * become the first system turn; input is a string (one user turn) or items. Message items carry text (a string, or
 * {@code input_text} / {@code output_text} / {@code refusal} parts); {@code function_call} items join the assistant
 * turn before them (one turn per run of calls, as chat writes them) and {@code function_call_output} items become
 * tool turns answering a call made earlier in the input; {@code reasoning} items are accepted and left out, as chat
 * templates drop earlier turns' reasoning. Anything else (images, files, references to stored items) is refused.
 */
final class ResponseInput {
    private static final Set<String> ROLES = Set.of("user", "system", "developer", "assistant");
    private static final Set<String> TEXT_PARTS = Set.of("input_text", "output_text");

    private ResponseInput() {
    }

    static List<ChatMessage> messages(String instructions, JsonNode input) {
        List<ChatMessage> turns = new ArrayList<>();
        if (instructions != null) {
            turns.add(new ChatMessage("system", instructions));
        }
        if (input.isTextual()) {
            turns.add(new ChatMessage("user", input.asText()));
            return turns;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiException.invalid("input", "input must be a string or a non-empty array of input items");
        }
        Map<String, String> calledTools = new HashMap<>();
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String where = "input[" + i + "]";
            if (!item.isObject()) {
                throw ApiException.invalid(where, where + " must be an object");
            }
            String type = item.path("type").asText(item.has("role") ? "message" : "");
            switch (type) {
                case "message" -> turns.add(message(item, where));
                case "function_call" -> call(item, where, turns, calledTools);
                case "function_call_output" -> turns.add(output(item, where, calledTools));
                case "reasoning" -> { }
                case "item_reference" -> throw ApiException.invalid(where, where + " refers to a stored item; this "
                        + "server stores none: send the item itself");
                default -> throw ApiException.invalid(where + ".type", where + ".type '" + type + "' is not "
                        + "supported (message, function_call, function_call_output and reasoning items are)");
            }
        }
        return turns;
    }

    private static ChatMessage message(JsonNode item, String where) {
        String role = item.path("role").asText("");
        if (!ROLES.contains(role)) {
            throw ApiException.invalid(where + ".role", where + ".role must be one of " + ROLES.stream().sorted()
                    .toList() + ", was '" + role + "'");
        }
        // OpenAI's "developer" role is what chat templates call "system".
        return new ChatMessage(role.equals("developer") ? "system" : role, text(item.get("content"),
                where + ".content"));
    }

    /** A function call the model made earlier: added to the assistant turn just before it, or a turn of its own. */
    private static void call(JsonNode item, String where, List<ChatMessage> turns, Map<String, String> calledTools) {
        String callId = required(item, "call_id", where);
        String name = required(item, "name", where);
        String arguments = required(item, "arguments", where);
        ToolCall call = new ToolCall(callId, name, arguments);
        calledTools.put(callId, name);
        ChatMessage last = turns.isEmpty() ? null : turns.getLast();
        if (last != null && last.role().equals("assistant")) {
            List<ToolCall> calls = new ArrayList<>(last.toolCalls());
            calls.add(call);
            // A turn of calls alone has no text: templates test it for none.
            String content = last.content() == null || last.content().isEmpty() ? null : last.content();
            turns.set(turns.size() - 1, new ChatMessage("assistant", content, calls, null, null));
        } else {
            turns.add(new ChatMessage("assistant", null, List.of(call), null, null));
        }
    }

    private static ChatMessage output(JsonNode item, String where, Map<String, String> calledTools) {
        String callId = required(item, "call_id", where);
        if (!calledTools.containsKey(callId)) {
            throw ApiException.invalid(where + ".call_id", "No function_call with call_id '" + callId + "' comes "
                    + "before " + where + " in input");
        }
        return new ChatMessage("tool", text(item.get("output"), where + ".output"), List.of(), callId,
                calledTools.get(callId));
    }

    private static String required(JsonNode item, String field, String where) {
        JsonNode value = item.get(field);
        if (value == null || !value.isTextual()) {
            throw ApiException.invalid(where + "." + field, where + "." + field + " is required (a string)");
        }
        return value.asText();
    }

    /** A string, or text parts joined; a part of another kind (image, file, audio) is refused. */
    private static String text(JsonNode content, String where) {
        if (content == null || content.isNull()) {
            throw ApiException.invalid(where, where + " is required");
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw ApiException.invalid(where, where + " must be a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String type = part.path("type").asText("");
            String field = type.equals("refusal") ? "refusal" : "text";
            if (!(TEXT_PARTS.contains(type) || type.equals("refusal")) || !part.path(field).isTextual()) {
                throw ApiException.invalid(where + "[" + i + "]", "Only text content is supported on this "
                        + "server (input_text, output_text, refusal), got type '" + type + "'");
            }
            text.append(part.get(field).asText());
        }
        return text.toString();
    }
}
