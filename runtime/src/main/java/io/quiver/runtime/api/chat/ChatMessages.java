package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.chat.ChatMessage;
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
            // OpenAI's "developer" role is what older templates call "system".
            out.add(new ChatMessage(role.equals("developer") ? "system" : role, content(m.get("content"), role,
                    where + ".content")));
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
