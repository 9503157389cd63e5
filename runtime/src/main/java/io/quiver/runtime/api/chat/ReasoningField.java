package io.quiver.runtime.api.chat;

import io.quiver.runtime.api.chat.ChatProtocol.Message;
import io.quiver.runtime.api.chat.ChatProtocol.WireToolCall;
import java.util.List;

/**
 * Where a chat message carries an R1-style model's reasoning ({@code quiver.reasoning-field}): {@code reasoning}, the
 * name vLLM uses since it dropped {@code reasoning_content}; {@code reasoning_content}, DeepSeek's original name,
 * which llama-server keeps; or both.
 */
enum ReasoningField {
    REASONING, REASONING_CONTENT, BOTH;

    /** The setting's value: the field's own name, or {@code both}. */
    static ReasoningField of(String setting) {
        return switch (setting) {
            case "reasoning" -> REASONING;
            case "reasoning_content" -> REASONING_CONTENT;
            case "both" -> BOTH;
            default -> throw new IllegalArgumentException("quiver.reasoning-field is '" + setting
                    + "'; allowed: reasoning, reasoning_content or both");
        };
    }

    /** A message or delta; null fields are left out. */
    Message message(String role, String content, String reasoning, List<WireToolCall> toolCalls) {
        return new Message(role, content, this == REASONING ? null : reasoning, this == REASONING_CONTENT ? null
                : reasoning, toolCalls);
    }
}
