package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.ChatProtocol.StreamOptions;
import io.quiver.runtime.api.chat.ChatProtocol.Usage;
import java.util.List;
import java.util.Map;

/** OpenAI's legacy completions request and response ({@code POST /v1/completions}). */
public final class CompletionProtocol {
    private CompletionProtocol() {
    }

    /** {@code prompt}: a string, an array of strings, an array of token ids, or an array of such arrays. */
    public record Request(
            String model,
            JsonNode prompt,
            Boolean stream,
            @JsonProperty("stream_options") StreamOptions streamOptions,
            @JsonProperty("max_tokens") Integer maxTokens,
            Double temperature,
            @JsonProperty("top_p") Double topP,
            @JsonProperty("top_k") Integer topK,
            @JsonProperty("min_p") Double minP,
            Long seed,
            JsonNode stop,
            @JsonProperty("presence_penalty") Double presencePenalty,
            @JsonProperty("frequency_penalty") Double frequencyPenalty,
            @JsonProperty("repetition_penalty") Double repetitionPenalty,
            @JsonProperty("ignore_eos") Boolean ignoreEos,
            Integer n,
            @JsonProperty("best_of") Integer bestOf,
            JsonNode logprobs,
            Boolean echo,
            String suffix,
            @JsonProperty("logit_bias") JsonNode logitBias,
            @JsonProperty("response_format") JsonNode responseFormat,
            @JsonProperty("structured_outputs") JsonNode structuredOutputs,
            @JsonProperty("json_schema") JsonNode jsonSchema) implements GenerationFields {

        @Override
        public Integer tokenLimit() {
            // The legacy API's default is 16 tokens.
            return maxTokens != null ? maxTokens : 16;
        }

        @Override
        public String tokenLimitParam() {
            return "max_tokens";
        }

        @Override
        public Integer topLogprobs() {
            return null;
        }

        /** The legacy API's: {@code logprobs} an integer 0..5, the alternatives per token. */
        @Override
        public int scoredAlternatives() {
            if (logprobs == null || logprobs.isNull()) {
                return -1;
            }
            if (!logprobs.isIntegralNumber() || logprobs.asInt() < 0 || logprobs.asInt() > MAX_LOGPROBS) {
                throw ApiException.invalid("logprobs", "logprobs must be an integer between 0 and " + MAX_LOGPROBS
                        + ", was " + logprobs);
            }
            return logprobs.asInt();
        }

        @Override
        public int promptAlternatives() {
            return echoes() ? scoredAlternatives() : -1;
        }

        @Override
        public boolean scoresPromptOnly() {
            return echoes() && maxTokens != null && maxTokens == 0;
        }

        public boolean echoes() {
            return Boolean.TRUE.equals(echo);
        }
    }

    /** The most alternatives the legacy API reports per token. */
    public static final int MAX_LOGPROBS = 5;

    /**
     * {@code choices[].logprobs}: parallel lists, one entry per token; {@code top_logprobs} maps token text to its
     * log probability (the chosen token included); the first echoed prompt token has null for both.
     */
    public record Logprobs(List<String> tokens, @JsonProperty("token_logprobs") List<Double> tokenLogprobs,
                           @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
                           @JsonProperty("text_offset") List<Integer> textOffset) {
    }

    public record Completion(String id, String object, long created, String model, List<Choice> choices,
                             Usage usage) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(int index, String text, Object logprobs,
                         @JsonProperty("finish_reason") String finishReason) {
    }
}
