package io.quiver.models.chat;

/** One chat turn as the template sees it: {@code role} (system, user, assistant, tool) and its text. */
public record ChatMessage(String role, String content) {
}
