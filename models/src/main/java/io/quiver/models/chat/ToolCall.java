package io.quiver.models.chat;

/**
 * A function call as OpenAI writes it: {@code id}, the function's {@code name} and its {@code arguments} as JSON
 * text.
 */
public record ToolCall(String id, String name, String arguments) {
}
