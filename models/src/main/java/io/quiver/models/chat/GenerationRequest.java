package io.quiver.models.chat;

import io.quiver.models.InvalidRequestException;
import java.util.List;
import java.util.Objects;

/**
 * One completion to run.
 *
 * @param promptIds          the prompt's tokens (from {@link ChatEngine#encode})
 * @param sampling           sampling parameters; null fields come from generation_config.json
 * @param maxTokens          completion tokens at most; 0 or less means as many as the context length leaves
 * @param stop               strings that end the completion (not included in the output); may be empty
 * @param ignoreEos          keep going past the end-of-sequence token (benchmarks, golden tests)
 * @param reasoningPrefilled the prompt already opened {@code <think>}: text before {@code </think>} is reasoning
 * @param splitReasoning     split {@code <think>…</think>} out of the content (when the engine's option allows);
 *                           false keeps the raw text, tags included (legacy completions)
 * @param logprobs           score every completion token with this many alternatives ({@link Delta#logprobs});
 *                           -1 scores nothing
 * @param promptLogprobs     score the prompt's tokens after the first with this many alternatives
 *                           ({@link GenerationListener#onPromptScored}); -1 scores nothing
 * @param promptOnly         score the prompt and generate nothing (the completion ends LENGTH at once)
 * @param grammar            the completion's bytes must stay in this language (structured outputs), or null
 * @param adapter            the LoRA adapter it runs with (one the engine has loaded), or null for the base model
 */
public record GenerationRequest(int[] promptIds, SamplingParams sampling, int maxTokens, List<String> stop,
                                boolean ignoreEos, boolean reasoningPrefilled, boolean splitReasoning,
                                int logprobs, int promptLogprobs, boolean promptOnly, TokenGrammar grammar,
                                String adapter) {
    /** The most alternatives a position reports (OpenAI's top_logprobs limit). */
    public static final int MAX_LOGPROBS = 20;

    public GenerationRequest {
        Objects.requireNonNull(promptIds, "promptIds");
        sampling = sampling == null ? SamplingParams.defaults() : sampling;
        stop = stop == null ? List.of() : stop.stream().filter(s -> s != null && !s.isEmpty()).toList();
        if (logprobs < -1 || logprobs > MAX_LOGPROBS) {
            throw new InvalidRequestException("logprobs", "logprobs must be between 0 and " + MAX_LOGPROBS);
        }
        if (promptLogprobs < -1 || promptLogprobs > MAX_LOGPROBS) {
            throw new InvalidRequestException("prompt_logprobs", "prompt_logprobs must be between 0 and "
                    + MAX_LOGPROBS);
        }
        if (promptOnly && promptLogprobs < 0) {
            throw new IllegalArgumentException("a prompt-only request must score the prompt");
        }
    }

    public GenerationRequest(int[] promptIds, SamplingParams sampling, int maxTokens, List<String> stop,
                             boolean ignoreEos, boolean reasoningPrefilled, boolean splitReasoning, int logprobs,
                             int promptLogprobs, boolean promptOnly, TokenGrammar grammar) {
        this(promptIds, sampling, maxTokens, stop, ignoreEos, reasoningPrefilled, splitReasoning, logprobs,
                promptLogprobs, promptOnly, grammar, null);
    }

    public GenerationRequest(int[] promptIds, SamplingParams sampling, int maxTokens, List<String> stop,
                             boolean ignoreEos, boolean reasoningPrefilled, boolean splitReasoning) {
        this(promptIds, sampling, maxTokens, stop, ignoreEos, reasoningPrefilled, splitReasoning, -1, -1, false,
                null);
    }

    public static GenerationRequest of(int[] promptIds, SamplingParams sampling, int maxTokens) {
        return new GenerationRequest(promptIds, sampling, maxTokens, List.of(), false, false, true);
    }

    public GenerationRequest withStop(List<String> strings) {
        return new GenerationRequest(promptIds, sampling, maxTokens, strings, ignoreEos, reasoningPrefilled,
                splitReasoning, logprobs, promptLogprobs, promptOnly, grammar, adapter);
    }

    public GenerationRequest withIgnoreEos(boolean ignore) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignore, reasoningPrefilled,
                splitReasoning, logprobs, promptLogprobs, promptOnly, grammar, adapter);
    }

    public GenerationRequest withReasoningSplit(boolean split) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, reasoningPrefilled, split,
                logprobs, promptLogprobs, promptOnly, grammar, adapter);
    }

    public GenerationRequest withReasoningPrefilled(boolean prefilled) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, prefilled, splitReasoning,
                logprobs, promptLogprobs, promptOnly, grammar, adapter);
    }

    /** Scores completion tokens ({@code top} alternatives each; -1: none) and prompt tokens ({@code promptTop}). */
    public GenerationRequest withLogprobs(int top, int promptTop) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, reasoningPrefilled,
                splitReasoning, top, promptTop, promptOnly, grammar, adapter);
    }

    /** Scores the prompt only ({@code promptTop} alternatives per position), generating nothing. */
    public GenerationRequest scoringPromptOnly(int promptTop) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, reasoningPrefilled,
                splitReasoning, logprobs, promptTop, true, grammar, adapter);
    }

    /**
     * Constrains the completion to a grammar; its text is then content alone (no reasoning split), since the
     * grammar covers all of it.
     */
    public GenerationRequest withGrammar(TokenGrammar g) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, g == null && reasoningPrefilled,
                g == null && splitReasoning, logprobs, promptLogprobs, promptOnly, g, adapter);
    }

    /** Runs with the LoRA adapter of this name (null: the base model). */
    public GenerationRequest withAdapter(String name) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, reasoningPrefilled,
                splitReasoning, logprobs, promptLogprobs, promptOnly, grammar, name);
    }
}
