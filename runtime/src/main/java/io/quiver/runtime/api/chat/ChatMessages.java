package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.chat.ChatMessage;
import io.quiver.models.chat.ToolCall;
import io.quiver.runtime.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads OpenAI chat messages: text content as a string or as text parts; other part types are refused. */
public final class ChatMessages {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private ChatMessages() {
    }

    public static List<ChatMessage> parse(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("messages", "messages must be a non-empty array of {role, content}");
        }
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.invalid(where, where + " must be an object with role and content");
            }
            String role = m.path("role").asText("");
            if (!ROLES.contains(role)) {
                throw ApiException.invalid(where + ".role", where + ".role must be one of " + ROLES.stream().sorted()
                        .toList() + ", was '" + role + "'");
            }
            List<ToolCall> calls = toolCalls(m.get("tool_calls"), where + ".tool_calls");
            if (!calls.isEmpty() && !role.equals("assistant")) {
                throw ApiException.invalid(where + ".tool_calls", "only assistant messages hold tool_calls");
            }
            JsonNode raw = m.get("content");
            // An assistant turn of calls alone has no text: templates test it for none.
            String content = !calls.isEmpty() && (raw == null || raw.isNull()) ? null
                    : content(raw, role, where + ".content");
            String callId = m.path("tool_call_id").isTextual() ? m.get("tool_call_id").asText() : null;
            String name = m.path("name").isTextual() ? m.get("name").asText() : null;
            // OpenAI's "developer" role is what older templates call "system".
            out.add(new ChatMessage(role.equals("developer") ? "system" : role, content, calls, callId, name));
        }
        return out;
    }

    /** OpenAI's {@code [{id, type: function, function: {name, arguments}}]}; arguments are JSON text. */
    private static List<ToolCall> toolCalls(JsonNode calls, String where) {
        if (calls == null || calls.isNull()) {
            return List.of();
        }
        if (!calls.isArray()) {
            throw ApiException.invalid(where, where + " must be an array");
        }
        List<ToolCall> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            JsonNode function = call.path("function");
            if (!function.path("name").isTextual()) {
                throw ApiException.invalid(where + "[" + i + "]", where + "[" + i + "] needs function.name");
            }
            JsonNode args = function.path("arguments");
            String arguments = args.isTextual() ? args.asText() : args.isObject() ? args.toString() : "{}";
            out.add(new ToolCall(call.path("id").asText("call_" + i), function.get("name").asText(), arguments));
        }
        return out;
    }

    private static String content(JsonNode content, String role, String where) {
        if (content == null || content.isNull()) {
            if (role.equals("assistant")) {
                return "";
            }
            throw ApiException.invalid(where, where + " is required for role '" + role + "'");
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw ApiException.invalid(where, where + " must be a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            String type = part.path("type").asText("");
            if (!type.equals("text") || !part.path("text").isTextual()) {
                throw ApiException.invalid(where, "Only text content parts are supported, got type '" + type + "'");
            }
            text.append(part.path("text").asText());
        }
        return text.toString();
    }
}
