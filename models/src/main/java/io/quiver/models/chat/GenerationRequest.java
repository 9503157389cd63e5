package io.quiver.models.chat;

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
 */
public record GenerationRequest(int[] promptIds, SamplingParams sampling, int maxTokens, List<String> stop,
                                boolean ignoreEos, boolean reasoningPrefilled, boolean splitReasoning) {
    public GenerationRequest {
        Objects.requireNonNull(promptIds, "promptIds");
        sampling = sampling == null ? SamplingParams.defaults() : sampling;
        stop = stop == null ? List.of() : stop.stream().filter(s -> s != null && !s.isEmpty()).toList();
    }

    public static GenerationRequest of(int[] promptIds, SamplingParams sampling, int maxTokens) {
        return new GenerationRequest(promptIds, sampling, maxTokens, List.of(), false, false, true);
    }

    public GenerationRequest withStop(List<String> strings) {
        return new GenerationRequest(promptIds, sampling, maxTokens, strings, ignoreEos, reasoningPrefilled,
                splitReasoning);
    }

    public GenerationRequest withIgnoreEos(boolean ignore) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignore, reasoningPrefilled,
                splitReasoning);
    }

    public GenerationRequest withReasoningSplit(boolean split) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, reasoningPrefilled, split);
    }

    public GenerationRequest withReasoningPrefilled(boolean prefilled) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, prefilled, splitReasoning);
    }
}
