package io.quiver.models.chat;

/**
 * A conversation rendered for the assistant's next turn.
 *
 * @param text           the prompt, with the template's generation prompt
 * @param opensReasoning the generation prompt left a {@code <think>} block open
 */
public record ChatPrompt(String text, boolean opensReasoning) {
    /**
     * The prompt of {@code prompt} (rendered with the generation prompt) beside {@code conversation} (the same
     * rendered without it). Whether it opens reasoning is read off the generation prompt alone, what the first adds
     * to the second, so a {@code <think>} in a message's text never decides it.
     */
    static ChatPrompt of(String prompt, String conversation) {
        int shared = 0;
        int limit = Math.min(prompt.length(), conversation.length());
        while (shared < limit && prompt.charAt(shared) == conversation.charAt(shared)) {
            shared++;
        }
        return new ChatPrompt(prompt, opensReasoning(prompt.substring(shared)));
    }

    /** True when a text ends inside an open {@code <think>} block. */
    public static boolean opensReasoning(String text) {
        int open = text.lastIndexOf(ReasoningSplitter.OPEN);
        return open >= 0 && text.indexOf(ReasoningSplitter.CLOSE, open) < 0;
    }
}
