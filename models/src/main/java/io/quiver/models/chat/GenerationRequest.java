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
 */
public record GenerationRequest(int[] promptIds, SamplingParams sampling, int maxTokens, List<String> stop,
                                boolean ignoreEos, boolean reasoningPrefilled) {
    public GenerationRequest {
        Objects.requireNonNull(promptIds, "promptIds");
        sampling = sampling == null ? SamplingParams.defaults() : sampling;
        stop = stop == null ? List.of() : stop.stream().filter(s -> s != null && !s.isEmpty()).toList();
    }

    public static GenerationRequest of(int[] promptIds, SamplingParams sampling, int maxTokens) {
        return new GenerationRequest(promptIds, sampling, maxTokens, List.of(), false, false);
    }

    public GenerationRequest withStop(List<String> strings) {
        return new GenerationRequest(promptIds, sampling, maxTokens, strings, ignoreEos, reasoningPrefilled);
    }

    public GenerationRequest withIgnoreEos(boolean ignore) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignore, reasoningPrefilled);
    }

    public GenerationRequest withReasoningPrefilled(boolean prefilled) {
        return new GenerationRequest(promptIds, sampling, maxTokens, stop, ignoreEos, prefilled);
    }
}
