package io.quiver.runtime.api.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.runtime.api.chat.Wire;
import java.util.List;

/** What the Messages routes answer, as Anthropic's API writes it: the message, its content blocks, its events. */
public final class MessagesProtocol {
    private MessagesProtocol() {
    }

    /** {@code type: message}; {@code stop_reason} is null only in a stream's {@code message_start}. */
    public record Message(String id, String type, String role, String model, List<Block> content,
                          @JsonProperty("stop_reason") String stopReason,
                          @JsonProperty("stop_sequence") String stopSequence, Usage usage) {
        static Message of(String id, String model, List<Block> content, Ending ending, Usage usage) {
            return new Message(id, "message", "assistant", model, content, ending == null ? null : ending.reason(),
                    ending == null ? null : ending.sequence(), usage);
        }
    }

    public record Usage(@JsonProperty("input_tokens") int inputTokens,
                        @JsonProperty("output_tokens") int outputTokens) {
    }

    /** Why a message ended, in Anthropic's words, and the stop sequence that ended it (or null). */
    public record Ending(String reason, String sequence) {
    }

    public sealed interface Block permits TextBlock, ThinkingBlock, ToolUseBlock {
        String type();
    }

    public record TextBlock(String type, String text) implements Block {
        TextBlock(String text) {
            this("text", text);
        }
    }

    /** Quiver does not sign reasoning: {@code signature} is empty, and thinking blocks sent back are not read. */
    public record ThinkingBlock(String type, String thinking, String signature) implements Block {
        ThinkingBlock(String thinking) {
            this("thinking", thinking, "");
        }
    }

    public record ToolUseBlock(String type, String id, String name, JsonNode input) implements Block {
        ToolUseBlock(String id, String name, JsonNode input) {
            this("tool_use", id, name, input);
        }
    }

    public record TokenCount(@JsonProperty("input_tokens") int inputTokens) {
    }

    // The stream's events, each sent under its own type as the SSE event name (Wire.Named).

    public record MessageStart(String type, Message message) implements Wire.Named {
        MessageStart(Message message) {
            this("message_start", message);
        }
    }

    public record BlockStart(String type, int index, @JsonProperty("content_block") Block contentBlock) implements Wire.Named {
        BlockStart(int index, Block block) {
            this("content_block_start", index, block);
        }
    }

    public record BlockDelta(String type, int index, Object delta) implements Wire.Named {
        BlockDelta(int index, Object delta) {
            this("content_block_delta", index, delta);
        }
    }

    public record TextDelta(String type, String text) {
        TextDelta(String text) {
            this("text_delta", text);
        }
    }

    public record ThinkingDelta(String type, String thinking) {
        ThinkingDelta(String thinking) {
            this("thinking_delta", thinking);
        }
    }

    public record InputJsonDelta(String type, @JsonProperty("partial_json") String partialJson) {
        InputJsonDelta(String partialJson) {
            this("input_json_delta", partialJson);
        }
    }

    public record BlockStop(String type, int index) implements Wire.Named {
        BlockStop(int index) {
            this("content_block_stop", index);
        }
    }

    public record MessageDelta(String type, Stop delta, Usage usage) implements Wire.Named {
        MessageDelta(Ending ending, Usage usage) {
            this("message_delta", new Stop(ending.reason(), ending.sequence()), usage);
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Stop(@JsonProperty("stop_reason") String stopReason,
                       @JsonProperty("stop_sequence") String stopSequence) {
    }

    public record MessageStop(String type) implements Wire.Named {
        MessageStop() {
            this("message_stop");
        }
    }

    public record Ping(String type) implements Wire.Named {
        Ping() {
            this("ping");
        }
    }
}
