package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.chat.GenerationRequest;
import io.quiver.runtime.api.ApiException;
import java.util.List;

/**
 * OpenAI's chat completions request and response, plus the sampling extensions vLLM users send ({@code top_k},
 * {@code min_p}, {@code repetition_penalty}, {@code ignore_eos}), and reasoning as {@code reasoning} and/or DeepSeek's
 * {@code reasoning_content} ({@link ReasoningField}).
 */
public final class ChatProtocol {
    private ChatProtocol() {
    }

    public record Request(
            String model,
            JsonNode messages,
            Boolean stream,
            @JsonProperty("stream_options") StreamOptions streamOptions,
            @JsonProperty("max_tokens") Integer maxTokens,
            @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
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
            JsonNode logprobs,
            @JsonProperty("top_logprobs") Integer topLogprobs,
            @JsonProperty("logit_bias") JsonNode logitBias,
            JsonNode tools,
            @JsonProperty("tool_choice") JsonNode toolChoice,
            @JsonProperty("parallel_tool_calls") Boolean parallelToolCalls,
            @JsonProperty("response_format") JsonNode responseFormat,
            @JsonProperty("structured_outputs") JsonNode structuredOutputs,
            @JsonProperty("json_schema") JsonNode jsonSchema) implements GenerationFields {

        @Override
        public Integer tokenLimit() {
            return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        }

        @Override
        public String tokenLimitParam() {
            return maxCompletionTokens != null ? "max_completion_tokens" : "max_tokens";
        }

        /** OpenAI's: {@code logprobs} a boolean, {@code top_logprobs} 0..20 and only with it. */
        @Override
        public int scoredAlternatives() {
            boolean on = logprobs != null && !logprobs.isNull();
            if (on && !logprobs.isBoolean()) {
                throw ApiException.invalid("logprobs", "logprobs must be true or false");
            }
            on = on && logprobs.asBoolean();
            if (topLogprobs != null) {
                if (topLogprobs < 0 || topLogprobs > GenerationRequest.MAX_LOGPROBS) {
                    throw ApiException.invalid("top_logprobs", "top_logprobs must be between 0 "
                            + "and " + GenerationRequest.MAX_LOGPROBS + ", was " + topLogprobs);
                }
                if (!on && topLogprobs > 0) {
                    throw ApiException.invalid("top_logprobs", "top_logprobs requires "
                            + "logprobs: true");
                }
            }
            return on ? (topLogprobs == null ? 0 : topLogprobs) : -1;
        }
    }

    /** {@code choices[].logprobs}: one entry per completion token. */
    public record Logprobs(List<ContentLogprob> content) {
    }

    public record ContentLogprob(String token, double logprob, List<Integer> bytes,
                               @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs) {
    }

    public record TopLogprob(String token, double logprob, List<Integer> bytes) {
    }

    public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {
    }

    public record Completion(String id, String object, long created, String model, List<Choice> choices,
                             Usage usage) {
    }

    public record Choice(int index, Message message, Object logprobs,
                         @JsonProperty("finish_reason") String finishReason) {
    }

    /** {@code reasoning_content} and {@code reasoning}: the same text, in the field(s) the server is set to write. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(String role, String content,
                          @JsonProperty("reasoning_content") String reasoningContent, String reasoning,
                          @JsonProperty("tool_calls") List<WireToolCall> toolCalls) {
        public Message(String role, String content, String reasoningContent, String reasoning) {
            this(role, content, reasoningContent, reasoning, null);
        }
    }

    /** A tool call; {@code index} only in stream deltas. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WireToolCall(Integer index, String id, String type, Function function) {
    }

    /** A stream's later entries of a call carry only {@code arguments}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Function(String name, String arguments) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices,
                        Usage usage) {
    }

    public record ChunkChoice(int index, Message delta, Object logprobs,
                              @JsonProperty("finish_reason") String finishReason) {
    }

    public record Usage(@JsonProperty("prompt_tokens") int promptTokens,
                        @JsonProperty("completion_tokens") int completionTokens,
                        @JsonProperty("total_tokens") int totalTokens) {
        static Usage of(io.quiver.models.chat.Usage u) {
            return new Usage(u.promptTokens(), u.completionTokens(), u.totalTokens());
        }
    }
}
