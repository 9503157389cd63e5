package io.quiver.models.chat;

import java.util.List;

/**
 * What one scheduler step produced for a sequence. Text may be empty while the engine holds back bytes of an
 * incomplete character, a possible stop string or a possible {@code <think>} tag; {@code tokens} still counts them.
 *
 * @param reasoning text inside {@code <think>…</think>} (empty when none)
 * @param content   answer text (empty when none)
 * @param tokens    completion tokens this delta accounts for
 * @param tokenIds  those tokens' ids
 * @param logprobs  those tokens' log probabilities when the request asked for them, else empty
 */
public record Delta(String reasoning, String content, int tokens, int[] tokenIds, List<TokenLogprob> logprobs) {
    public Delta {
        logprobs = logprobs == null ? List.of() : logprobs;
    }

    public Delta(String reasoning, String content, int tokens, int[] tokenIds) {
        this(reasoning, content, tokens, tokenIds, List.of());
    }

    public boolean hasText() {
        return !reasoning.isEmpty() || !content.isEmpty();
    }
}
