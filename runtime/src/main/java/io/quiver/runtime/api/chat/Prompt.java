package io.quiver.runtime.api.chat;

/**
 * One prompt of a request, tokenized.
 *
 * @param reasoningPrefilled the chat template already opened {@code <think>}
 * @param splitReasoning     chat routes split reasoning out; legacy completions keep the raw text
 * @param echo               the prompt text to put before the completion (legacy {@code echo}), or null
 */
public record Prompt(int[] ids, boolean reasoningPrefilled, boolean splitReasoning, String echo) {
    public Prompt(int[] ids, boolean reasoningPrefilled, boolean splitReasoning) {
        this(ids, reasoningPrefilled, splitReasoning, null);
    }

    Prompt echoing(String text) {
        return new Prompt(ids, reasoningPrefilled, splitReasoning, text);
    }
}
