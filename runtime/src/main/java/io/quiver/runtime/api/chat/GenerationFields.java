package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.chat.GenerationRequest;
import io.quiver.models.chat.GrammarSource;
import io.quiver.models.chat.SamplingParams;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.ChatProtocol.StreamOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The sampling and length fields chat and legacy completions share, and their translation into an engine request.
 * Features the engine does not have (logit bias) are refused with a 400 naming the parameter rather than silently
 * ignored.
 */
public interface GenerationFields {
    int MAX_STOP_STRINGS = 16;

    // The OpenAI-only fields and extensions answer null (unset) unless an API's request carries them.

    String model();

    Boolean stream();

    default StreamOptions streamOptions() {
        return null;
    }

    /** Completion tokens at most, as the request asked; null lets the context length decide. */
    Integer tokenLimit();

    /** The parameter {@link #tokenLimit} came from, for error messages. */
    String tokenLimitParam();

    Double temperature();

    Double topP();

    Integer topK();

    default Double minP() {
        return null;
    }

    default Long seed() {
        return null;
    }

    JsonNode stop();

    default Double presencePenalty() {
        return null;
    }

    default Double frequencyPenalty() {
        return null;
    }

    default Double repetitionPenalty() {
        return null;
    }

    default Boolean ignoreEos() {
        return null;
    }

    default Integer n() {
        return null;
    }

    default JsonNode logprobs() {
        return null;
    }

    default Integer topLogprobs() {
        return null;
    }

    default JsonNode logitBias() {
        return null;
    }

    /** OpenAI's {@code response_format}; see {@link StructuredOutputs}. */
    default JsonNode responseFormat() {
        return null;
    }

    /** vLLM's {@code structured_outputs}. */
    default JsonNode structuredOutputs() {
        return null;
    }

    /** llama.cpp's {@code json_schema}. */
    default JsonNode jsonSchema() {
        return null;
    }

    /** The field {@link #jsonSchema} came from, for error messages (another API may carry the schema elsewhere). */
    default String jsonSchemaParam() {
        return "json_schema";
    }

    /**
     * The constraint the request puts on its answer's text, checked but not compiled, or null: read from the
     * fields above ({@link StructuredOutputs}); an API with its own field for it answers here instead.
     */
    default GrammarSource structured() {
        return StructuredOutputs.source(this);
    }

    /**
     * Alternatives to report per completion token when the request asks for log probabilities (0: the chosen
     * token's alone), else -1; out-of-range values are a 400 naming the parameter.
     */
    int scoredAlternatives();

    /** Alternatives per prompt token when the prompt is to be scored (echo with logprobs), else -1. */
    default int promptAlternatives() {
        return -1;
    }

    /** The request only scores its prompt (echo, max_tokens 0): nothing is generated. */
    default boolean scoresPromptOnly() {
        return false;
    }

    /** Completions per prompt ({@code n}), at least 1; the engine bounds it by its batch rows. */
    default int choicesPerPrompt() {
        if (n() == null) {
            return 1;
        }
        if (n() < 1) {
            throw ApiException.invalid("n", "n must be at least 1, was " + n());
        }
        return n();
    }

    default boolean streaming() {
        return Boolean.TRUE.equals(stream());
    }

    default boolean includeUsage() {
        return streamOptions() != null && Boolean.TRUE.equals(streamOptions().includeUsage());
    }

    /** Checks every shared field that needs no model; a refusal is a 400 naming the parameter. */
    default void checkSampling() {
        scoredAlternatives();
        if (logitBias() != null && !logitBias().isNull() && !logitBias().isEmpty()) {
            throw ApiException.invalid("logit_bias", "logit_bias is not supported by this server");
        }
        Integer limit = tokenLimit();
        if (limit != null && limit < 1 && !(limit == 0 && scoresPromptOnly())) {
            throw ApiException.invalid(tokenLimitParam(), tokenLimitParam() + " must be at least 1, was " + limit);
        }
        penalty("presence_penalty", presencePenalty());
        penalty("frequency_penalty", frequencyPenalty());
        if (topK() != null && topK() < -1) {
            throw ApiException.invalid("top_k", "top_k must be -1, 0 (all tokens) or positive, was " + topK());
        }
        if (temperature() != null && temperature() > 2) {
            throw ApiException.invalid("temperature", "temperature must be between 0 and 2, was " + temperature());
        }
        stopStrings();
    }

    /** The engine request for a prompt; the fields were checked by {@link #checkSampling}. */
    default GenerationRequest toRequest(Prompt prompt) {
        checkSampling();
        Integer limit = tokenLimit();
        if (limit != null && limit == 0) {
            // Scoring a prompt (echo with max_tokens 0): the prefill is all there is.
            return new GenerationRequest(prompt.ids(), SamplingParams.greedy(), 1, List.of(), false, false, false)
                    .withLogprobs(-1, Math.max(0, promptAlternatives())).scoringPromptOnly(Math.max(0,
                            promptAlternatives()));
        }
        SamplingParams sampling = new SamplingParams(temperature(), topP(), topK(), minP(), seed(),
                penalty("presence_penalty", presencePenalty()), penalty("frequency_penalty", frequencyPenalty()),
                repetitionPenalty());
        return new GenerationRequest(prompt.ids(), sampling, limit == null ? 0 : limit, stopStrings(),
                Boolean.TRUE.equals(ignoreEos()), prompt.reasoningPrefilled(), prompt.splitReasoning())
                .withLogprobs(scoredAlternatives(), promptAlternatives());
    }

    private List<String> stopStrings() {
        JsonNode stop = stop();
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (!stop.isArray() || stop.size() > MAX_STOP_STRINGS) {
            throw ApiException.invalid("stop", "stop must be a string or an array of at most " + MAX_STOP_STRINGS
                    + " strings");
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw ApiException.invalid("stop", "stop must hold strings only");
            }
            strings.add(s.asText());
        }
        return strings;
    }

    private static double penalty(String name, Double value) {
        if (value == null) {
            return 0;
        }
        if (!(value >= -2 && value <= 2)) {
            throw ApiException.invalid(name, name + " must be between -2 and 2, was " + value);
        }
        return value;
    }
}
