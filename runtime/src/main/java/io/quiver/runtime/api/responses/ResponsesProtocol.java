package io.quiver.runtime.api.responses;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quiver.runtime.api.chat.Wire;
import java.util.List;

/**
 * What {@code POST /v1/responses} answers, in the shapes of OpenAI's Responses API: the {@code response} object, its
 * output items (reasoning, message, function call) and usage, and the events of a stream, each with its
 * {@code sequence_number}. Fields OpenAI sends as null are sent as null.
 */
public final class ResponsesProtocol {
    private ResponsesProtocol() {
    }

    /** The {@code response} object; {@code tools}, {@code tool_choice}, {@code text} echo the request's. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Body(String id, String object, long createdAt, String status, boolean background, Failure error,
                       Incomplete incompleteDetails, String instructions, Integer maxOutputTokens, Object maxToolCalls,
                       JsonNode metadata, String model, List<Object> output, boolean parallelToolCalls,
                       Object previousResponseId, JsonNode reasoning, String serviceTier, boolean store,
                       Double temperature, JsonNode text, JsonNode toolChoice, JsonNode tools, int topLogprobs,
                       Double topP, String truncation, Usage usage, String user) {
    }

    /** Why a response failed ({@code status: failed}). */
    public record Failure(String code, String message) {
    }

    /** Why a response is incomplete: {@code max_output_tokens} (or the context length) ran out. */
    public record Incomplete(String reason) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Usage(int inputTokens, InputDetails inputTokensDetails, int outputTokens,
                        OutputDetails outputTokensDetails, int totalTokens) {
        static Usage of(io.quiver.models.chat.Usage u, int reasoningTokens) {
            return new Usage(u.promptTokens(), new InputDetails(0), u.completionTokens(),
                    new OutputDetails(reasoningTokens), u.totalTokens());
        }
    }

    /** Prompt tokens served from the prefix cache are not counted per request: always 0. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record InputDetails(int cachedTokens) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record OutputDetails(int reasoningTokens) {
    }

    /** An assistant message item; its one content part holds the answer's text. */
    public record Message(String id, String type, String status, String role, List<OutputText> content) {
        static Message of(String id, String status, List<OutputText> content) {
            return new Message(id, "message", status, "assistant", content);
        }
    }

    public record OutputText(String type, String text, List<Object> annotations, List<Object> logprobs) {
        static OutputText of(String text) {
            return new OutputText("output_text", text, List.of(), List.of());
        }
    }

    /** A reasoning item: the model's {@code <think>} text as {@code reasoning_text} content; no summary. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Reasoning(String id, String type, String status, List<Object> summary, List<ReasoningText> content,
                            String encryptedContent) {
        static Reasoning of(String id, String status, List<ReasoningText> content) {
            return new Reasoning(id, "reasoning", status, List.of(), content, null);
        }
    }

    public record ReasoningText(String type, String text) {
        static ReasoningText of(String text) {
            return new ReasoningText("reasoning_text", text);
        }
    }

    /** A call of one of the request's function tools; {@code arguments} is JSON text. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FunctionCall(String id, String type, String status, String callId, String name, String arguments) {
        static FunctionCall of(String id, String status, String callId, String name, String arguments) {
            return new FunctionCall(id, "function_call", status, callId, name, arguments);
        }
    }

    /** {@code response.created}, {@code .in_progress}, {@code .completed}, {@code .incomplete}, {@code .failed}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Lifecycle(String type, int sequenceNumber, Body response) implements Wire.Named {
    }

    /** {@code response.output_item.added} and {@code .done}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ItemEvent(String type, int sequenceNumber, int outputIndex, Object item) implements Wire.Named {
    }

    /** {@code response.content_part.added} and {@code .done}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PartEvent(String type, int sequenceNumber, String itemId, int outputIndex, int contentIndex,
                            Object part) implements Wire.Named {
    }

    /** {@code response.output_text.delta} and {@code response.reasoning_text.delta} (no logprobs). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TextDelta(String type, int sequenceNumber, String itemId, int outputIndex, int contentIndex,
                            String delta, List<Object> logprobs) implements Wire.Named {
    }

    /** {@code response.output_text.done} and {@code response.reasoning_text.done} (no logprobs). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TextDone(String type, int sequenceNumber, String itemId, int outputIndex, int contentIndex,
                           String text, List<Object> logprobs) implements Wire.Named {
    }

    /** {@code response.function_call_arguments.delta}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ArgumentsDelta(String type, int sequenceNumber, String itemId, int outputIndex, String delta)
            implements Wire.Named {
    }

    /** {@code response.function_call_arguments.done}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ArgumentsDone(String type, int sequenceNumber, String itemId, int outputIndex, String name,
                                String arguments) implements Wire.Named {
    }

    /** {@code error}: a failure midway through a stream, before its {@code response.failed}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ErrorEvent(String type, int sequenceNumber, String code, String message, String param)
            implements Wire.Named {
    }
}
