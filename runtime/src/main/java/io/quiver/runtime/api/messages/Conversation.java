package io.quiver.runtime.api.messages;

import static io.quiver.runtime.api.messages.MessagesRequest.invalid;
import static io.quiver.runtime.api.messages.MessagesRequest.present;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.ChatPrompt;
import io.quiver.models.chat.ChatMessage;
import io.quiver.models.chat.ToolCall;
import io.quiver.runtime.api.chat.Prompt;
import io.quiver.runtime.api.chat.ToolUse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An Anthropic conversation as the chat template's turns: {@code system} (a string or text blocks) first, then each
 * message. A user message's {@code tool_result} blocks become {@code tool} turns (named after the {@code tool_use}
 * they answer) in the order they come, its text the user's turn; an assistant message's {@code tool_use} blocks become
 * its tool calls. Text blocks of one message are joined as they are. Thinking blocks sent back are left out (the
 * templates of reasoning models drop past reasoning too); images and documents are refused, since the models served
 * read text alone.
 */
record Conversation(List<ChatMessage> turns, ToolUse tools) {
    private static final Set<String> MESSAGE_KEYS = Set.of("role", "content");

    static Conversation read(MessagesRequest request) {
        List<ChatMessage> turns = new ArrayList<>();
        if (present(request.system())) {
            turns.add(new ChatMessage("system", text(request.system(), "system")));
        }
        JsonNode messages = request.messages();
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw invalid("messages: must be a non-empty array of {role, content}");
        }
        Map<String, String> toolNames = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages." + i;
            if (!m.isObject()) {
                throw invalid(where + ": must be an object {role, content}");
            }
            for (Iterator<String> names = m.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!MESSAGE_KEYS.contains(name)) {
                    throw invalid(where + "." + name + ": not supported by this server; a message is {role, content}");
                }
            }
            JsonNode content = m.get("content");
            if (!present(content)) {
                throw invalid(where + ".content: Field required");
            }
            String role = m.path("role").asText("");
            switch (role) {
                case "user" -> user(content, where + ".content", toolNames, turns);
                case "assistant" -> turns.add(assistant(content, where + ".content", toolNames));
                case "system" -> turns.add(new ChatMessage("system", text(content, where + ".content")));
                default -> throw invalid(where + ".role: must be user or assistant, was '" + role + "'");
            }
        }
        if (messages.get(messages.size() - 1).path("role").asText().equals("assistant")) {
            throw invalid("messages: the last message is the assistant's; continuing it (prefill) is not supported "
                    + "by this server, end with a user message");
        }
        return new Conversation(turns, MessageTools.read(request.tools(), request.toolChoice()));
    }

    /** The prompt as the model's template renders it, with the tools it shows, tokenised for the engine. */
    Prompt prompt(ChatEngine engine) {
        ChatPrompt prompt = engine.renderForCompletion(turns, tools == null ? null : tools.definitions());
        return new Prompt(engine.encodePrompt(prompt.text(), "messages"), prompt.opensReasoning(), true);
    }

    private static void user(JsonNode content, String where, Map<String, String> toolNames, List<ChatMessage> turns) {
        if (content.isTextual()) {
            turns.add(new ChatMessage("user", content.asText()));
            return;
        }
        blocks(content, where);
        StringBuilder text = new StringBuilder();
        boolean spoke = false;
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String at = where + "." + i;
            switch (type(block, at)) {
                case "text" -> {
                    text.append(blockText(block, at));
                    spoke = true;
                }
                case "tool_result" -> {
                    if (spoke) {
                        turns.add(new ChatMessage("user", text.toString()));
                        text.setLength(0);
                        spoke = false;
                    }
                    JsonNode id = block.get("tool_use_id");
                    if (id == null || !id.isTextual()) {
                        throw invalid(at + ".tool_use_id: Field required");
                    }
                    JsonNode result = block.get("content");
                    String output = present(result) ? text(result, at + ".content") : "";
                    if (present(block.get("is_error")) && !block.get("is_error").isBoolean()) {
                        throw invalid(at + ".is_error: must be a boolean");
                    }
                    turns.add(new ChatMessage("tool", output, List.of(), id.asText(), toolNames.get(id.asText())));
                }
                default -> throw unsupported(block, at, "user");
            }
        }
        if (spoke) {
            turns.add(new ChatMessage("user", text.toString()));
        }
    }

    private static ChatMessage assistant(JsonNode content, String where, Map<String, String> toolNames) {
        if (content.isTextual()) {
            return new ChatMessage("assistant", content.asText());
        }
        blocks(content, where);
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String at = where + "." + i;
            switch (type(block, at)) {
                case "text" -> text.append(blockText(block, at));
                case "tool_use" -> {
                    JsonNode id = block.get("id");
                    JsonNode name = block.get("name");
                    JsonNode input = block.get("input");
                    if (id == null || !id.isTextual() || name == null || !name.isTextual() || input == null
                            || !input.isObject()) {
                        throw invalid(at + ": a tool_use block is {id, name, input: object}");
                    }
                    toolNames.put(id.asText(), name.asText());
                    calls.add(new ToolCall(id.asText(), name.asText(), input.toString()));
                }
                case "thinking", "redacted_thinking" -> {
                    // Past reasoning is not shown to the model again.
                }
                default -> throw unsupported(block, at, "assistant");
            }
        }
        // A turn of calls alone has no text: templates test it for none.
        String said = text.isEmpty() && !calls.isEmpty() ? null : text.toString();
        return new ChatMessage("assistant", said, calls, null, null);
    }

    /** A string, or text blocks joined. */
    private static String text(JsonNode content, String where) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw invalid(where + ": must be a string or an array of text blocks");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String at = where + "." + i;
            if (!type(block, at).equals("text")) {
                throw unsupported(block, at, null);
            }
            text.append(blockText(block, at));
        }
        return text.toString();
    }

    private static void blocks(JsonNode content, String where) {
        if (!content.isArray() || content.isEmpty()) {
            throw invalid(where + ": must be a string or a non-empty array of content blocks");
        }
    }

    private static String type(JsonNode block, String where) {
        if (!block.isObject() || !block.path("type").isTextual()) {
            throw invalid(where + ": a content block is an object with a type");
        }
        return block.get("type").asText();
    }

    private static String blockText(JsonNode block, String where) {
        JsonNode text = block.get("text");
        if (text == null || !text.isTextual()) {
            throw invalid(where + ".text: Field required");
        }
        return text.asText();
    }

    private static RuntimeException unsupported(JsonNode block, String where, String role) {
        String type = block.get("type").asText();
        if (type.equals("image") || type.equals("document")) {
            return invalid(where + ": " + type + " blocks are not supported: the models this server serves read text "
                    + "only");
        }
        return invalid(where + ": block type '" + type + "' is not supported" + (role == null ? " here" : " in a "
                + role + " message") + " by this server");
    }
}
