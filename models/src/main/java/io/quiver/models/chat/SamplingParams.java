package io.quiver.models.chat;

import io.quiver.models.InvalidRequestException;

/**
 * How the next token is chosen; out-of-range values throw {@link InvalidRequestException} naming the parameter.
 * Null fields take the model's generation_config.json value (else the neutral one).
 *
 * @param temperature       0 is greedy (argmax)
 * @param topP              nucleus mass in (0, 1]
 * @param topK              keep the k most likely tokens; 0 or less keeps all
 * @param minP              drop tokens below minP × the top probability; 0 keeps all
 * @param seed              same seed, same prompt, same parameters → same tokens; null draws a fresh seed
 * @param presencePenalty   OpenAI's: subtracted once from every token already generated
 * @param frequencyPenalty  OpenAI's: subtracted per occurrence in the generated tokens
 * @param repetitionPenalty Hugging Face's: divides positive (multiplies negative) logits of prompt and generated tokens
 */
public record SamplingParams(Double temperature, Double topP, Integer topK, Double minP, Long seed,
                             double presencePenalty, double frequencyPenalty, Double repetitionPenalty) {
    public SamplingParams {
        if (temperature != null && (temperature < 0 || temperature.isNaN())) {
            throw new InvalidRequestException("temperature", "temperature must be >= 0");
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new InvalidRequestException("top_p", "top_p must be in (0, 1]");
        }
        if (minP != null && !(minP >= 0 && minP <= 1)) {
            throw new InvalidRequestException("min_p", "min_p must be in [0, 1]");
        }
        if (repetitionPenalty != null && !(repetitionPenalty > 0)) {
            throw new InvalidRequestException("repetition_penalty", "repetition_penalty must be > 0");
        }
    }

    /** Everything from the model's generation config. */
    public static SamplingParams defaults() {
        return new SamplingParams(null, null, null, null, null, 0, 0, null);
    }

    /** Argmax decoding with no penalties. */
    public static SamplingParams greedy() {
        return new SamplingParams(0.0, 1.0, 0, 0.0, null, 0, 0, 1.0);
    }

    public SamplingParams withTemperature(double t) {
        return new SamplingParams(t, topP, topK, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(temperature, p, topK, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, topP, k, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty);
    }

    public SamplingParams withMinP(double p) {
        return new SamplingParams(temperature, topP, topK, p, seed, presencePenalty, frequencyPenalty, repetitionPenalty);
    }

    public SamplingParams withSeed(Long s) {
        return new SamplingParams(temperature, topP, topK, minP, s, presencePenalty, frequencyPenalty, repetitionPenalty);
    }

    public SamplingParams withPenalties(double presence, double frequency, Double repetition) {
        return new SamplingParams(temperature, topP, topK, minP, seed, presence, frequency, repetition);
    }

    /** Fills null fields from the model's defaults. */
    SamplingParams resolve(SamplingParams defaults) {
        return new SamplingParams(
                temperature != null ? temperature : defaults.temperature,
                topP != null ? topP : defaults.topP,
                topK != null ? topK : defaults.topK,
                minP != null ? minP : defaults.minP,
                seed, presencePenalty, frequencyPenalty,
                repetitionPenalty != null ? repetitionPenalty : defaults.repetitionPenalty);
    }
}
