package io.quiver.runtime.api.chat;

/**
 * One prompt of a request, tokenized.
 *
 * @param reasoningPrefilled the chat template already opened {@code <think>}
 * @param splitReasoning     chat routes split reasoning out; legacy completions keep the raw text
 */
record Prompt(int[] ids, boolean reasoningPrefilled, boolean splitReasoning) {
}
