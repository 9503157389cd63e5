package io.quiver.models.chat;

import java.util.List;

/**
 * One chat turn as the template sees it: {@code role} (system, user, assistant, tool) and its text, which is null
 * only for an assistant turn that holds tool calls and no text. An assistant turn may hold {@code toolCalls};
 * a tool turn names the call it answers ({@code toolCallId}) and may name the tool.
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {
    public ChatMessage {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null, null);
    }
}
