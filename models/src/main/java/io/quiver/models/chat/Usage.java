package io.quiver.models.chat;

/** Token counts of one completion. */
public record Usage(int promptTokens, int completionTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
