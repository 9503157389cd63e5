package io.quiver.models.chat;

/** A whole completion, as {@link ChatEngine#generate} returns it. */
public record GenerationResult(String reasoning, String content, int[] tokenIds, FinishReason finishReason,
                               Usage usage) {
}
