package io.quiver.runtime.api.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.ToolCall;
import io.quiver.models.chat.ToolCallReader;
import io.quiver.models.chat.ToolCalls;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.Wire;
import io.quiver.runtime.api.messages.MessagesProtocol.Block;
import io.quiver.runtime.api.messages.MessagesProtocol.BlockDelta;
import io.quiver.runtime.api.messages.MessagesProtocol.BlockStart;
import io.quiver.runtime.api.messages.MessagesProtocol.BlockStop;
import io.quiver.runtime.api.messages.MessagesProtocol.Ending;
import io.quiver.runtime.api.messages.MessagesProtocol.InputJsonDelta;
import io.quiver.runtime.api.messages.MessagesProtocol.Message;
import io.quiver.runtime.api.messages.MessagesProtocol.MessageDelta;
import io.quiver.runtime.api.messages.MessagesProtocol.MessageStart;
import io.quiver.runtime.api.messages.MessagesProtocol.MessageStop;
import io.quiver.runtime.api.messages.MessagesProtocol.TextBlock;
import io.quiver.runtime.api.messages.MessagesProtocol.TextDelta;
import io.quiver.runtime.api.messages.MessagesProtocol.ThinkingBlock;
import io.quiver.runtime.api.messages.MessagesProtocol.ThinkingDelta;
import io.quiver.runtime.api.messages.MessagesProtocol.ToolUseBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One Messages request's answer: the {@code message} object, or its stream of Anthropic's events
 * ({@code message_start}; per block {@code content_block_start}, its deltas, {@code content_block_stop};
 * {@code message_delta} with the stop reason and usage; {@code message_stop}; {@code ping} while silent).
 * Reasoning becomes thinking blocks and the answer text blocks, as they decode. With tools the answer's text is read
 * for calls as it decodes ({@link ToolCallReader}, as chat completions stream them): text before the calls streams
 * into a text block, each call opens a {@code tool_use} block and streams its input's JSON as
 * {@code input_json_delta} fragments. Holds the state of one stream: a new one per request.
 */
final class MessageWire implements Wire {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MessagesRequest.Thinking thinking;
    private final List<String> stops;
    private ChatEngine engine;
    private int inputTokens;
    // The stream's state: blocks started, the type of the open one, the tokens so far, how it ended.
    private int blocks;
    private String open;
    private int[] ids = new int[64];
    private int count;
    private Ending ending;

    MessageWire(MessagesRequest.Thinking thinking, List<String> stops) {
        this.thinking = thinking;
        this.stops = stops;
    }

    /** The prompt was rendered for this engine: what {@code message_start} reports and stops are read with. */
    void prepared(ChatEngine engine, int promptTokens) {
        this.engine = engine;
        this.inputTokens = promptTokens;
    }

    @Override
    public String idPrefix() {
        return "msg_";
    }

    @Override
    public Object completion(Header h, List<Completions.Choice> choices, Usage usage) {
        Completions.Choice c = choices.getFirst();
        if (c.reason() == FinishReason.CANCELLED) {
            throw new ApiException(503, "server_overloaded", null, "shutting_down", "The server is shutting down "
                    + "and stopped this request; retry on another replica", Map.of("Retry-After", "1"));
        }
        List<Block> content = new ArrayList<>();
        if (!c.reasoning().isEmpty() && thinking != MessagesRequest.Thinking.HIDDEN) {
            content.add(new ThinkingBlock(thinking == MessagesRequest.Thinking.SHOWN ? c.reasoning() : ""));
        }
        ToolCalls.Parsed parsed = h.tools() == null ? new ToolCalls.Parsed(c.content(), List.of())
                : h.tools().parse(c.content());
        if (parsed.content() != null && !parsed.content().isEmpty()) {
            content.add(new TextBlock(parsed.content()));
        }
        List<ToolCall> calls = parsed.calls();
        calls.forEach(call -> content.add(toolUse(call)));
        if (content.isEmpty()) {
            content.add(new TextBlock(""));
        }
        return Message.of(h.id(), h.model(), content, ending(c.reason(), !calls.isEmpty(), c.tokenIds()),
                new MessagesProtocol.Usage(usage.promptTokens(), usage.completionTokens()));
    }

    @Override
    public List<Object> opening(Header h, int choices) {
        Message start = Message.of(h.id(), h.model(), List.of(), null, new MessagesProtocol.Usage(inputTokens, 0));
        return List.of(new MessageStart(start));
    }

    @Override
    public Object delta(Header h, int index, Delta d) {
        for (int id : d.tokenIds()) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
            }
            ids[count++] = id;
        }
        List<Object> events = new ArrayList<>();
        // Reasoning after a call began is left out: it would cut the tool_use block's input short (R1 reasons first).
        if (!d.reasoning().isEmpty() && thinking != MessagesRequest.Thinking.HIDDEN && !"tool_use".equals(open)) {
            into(events, "thinking");
            if (thinking == MessagesRequest.Thinking.SHOWN) {
                events.add(blockDelta(new ThinkingDelta(d.reasoning())));
            }
        }
        if (!d.content().isEmpty()) {
            answer(events, h.tools() == null ? List.of(new ToolCallReader.Text(d.content()))
                    : h.tools().reader(index).accept(d.content()));
        }
        return events.isEmpty() ? null : events;
    }

    @Override
    public Object finish(Header h, int index, FinishReason reason) {
        List<Object> events = new ArrayList<>();
        ToolCallReader reader = h.tools() == null ? null : h.tools().reader(index);
        if (reader != null) {
            h.tools().release(index);
        }
        if (reason == FinishReason.CANCELLED) {
            close(events);
            // Anthropic has no stop reason for a message cut short: the stream ends with an error instead.
            events.add(failure(h, new ApiException(500, "server_error", null, null, "The message was stopped before "
                    + "its end: the request timed out (quiver.request-timeout) or the server is shutting down",
                    Map.of())));
            return events;
        }
        if (reader != null) {
            answer(events, reader.finish());
        }
        if (blocks == 0) {
            start(events, new TextBlock(""));
        }
        close(events);
        ending = ending(reason, reader != null && reader.calls() > 0, Arrays.copyOf(ids, count));
        return events;
    }

    @Override
    public Object usage(Header h, Usage usage) {
        if (ending == null) {
            // Cut short: the error event was the last.
            return List.of();
        }
        return List.of(new MessageDelta(ending,
                        new MessagesProtocol.Usage(usage.promptTokens(), usage.completionTokens())),
                new MessageStop());
    }

    @Override
    public String keepAlive() {
        return "event: ping\ndata: {\"type\": \"ping\"}\n\n";
    }

    @Override
    public String end() {
        return "";
    }

    @Override
    public Object failure(Header h, ApiException e) {
        return AnthropicError.of(e.status(), e.getMessage());
    }

    /**
     * Sends what the answer's reader read: text into the open text block, each call as a {@code tool_use} block
     * (its input empty, as Anthropic starts one) followed by its input's JSON fragments.
     */
    private void answer(List<Object> events, List<ToolCallReader.Event> read) {
        for (ToolCallReader.Event e : read) {
            switch (e) {
                case ToolCallReader.Text t -> {
                    into(events, "text");
                    events.add(blockDelta(new TextDelta(t.text())));
                }
                case ToolCallReader.CallStart s -> {
                    close(events);
                    start(events, new ToolUseBlock(toolUseId(s.id()), s.name(), JSON.createObjectNode()));
                }
                case ToolCallReader.Arguments a -> events.add(blockDelta(new InputJsonDelta(a.fragment())));
            }
        }
    }

    /** Makes {@code type} the open block, closing another first. */
    private void into(List<Object> events, String type) {
        if (type.equals(open)) {
            return;
        }
        close(events);
        start(events, type.equals("thinking") ? new ThinkingBlock("") : new TextBlock(""));
    }

    private void start(List<Object> events, Block block) {
        events.add(new BlockStart(blocks, block));
        open = block.type();
        blocks++;
    }

    private void close(List<Object> events) {
        if (open != null) {
            events.add(new BlockStop(blocks - 1));
            open = null;
        }
    }

    private BlockDelta blockDelta(Object delta) {
        return new BlockDelta(blocks - 1, delta);
    }

    private static ToolUseBlock toolUse(ToolCall call) {
        try {
            return new ToolUseBlock(toolUseId(call.id()), call.name(), JSON.readTree(call.arguments()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed call's arguments are JSON: " + call.arguments(), e);
        }
    }

    /** Anthropic's ids read {@code toolu_…}. */
    private static String toolUseId(String callId) {
        return callId.startsWith("call_") ? "toolu_" + callId.substring("call_".length()) : callId;
    }

    /**
     * Anthropic's stop reason: a message cut by the token limit says so, one that made calls and ended by itself
     * stops for {@code tool_use}. The engine ends on an end-of-sequence token or a stop string alike; which one is read
     * from the completion's tokens: the stop sequence that occurs first in their text, if any, ended it.
     */
    private Ending ending(FinishReason reason, boolean called, int[] tokenIds) {
        if (reason == FinishReason.LENGTH) {
            return new Ending("max_tokens", null);
        }
        if (called) {
            return new Ending("tool_use", null);
        }
        if (!stops.isEmpty() && engine != null) {
            String text = engine.decode(tokenIds);
            String first = null;
            int at = Integer.MAX_VALUE;
            for (String stop : stops) {
                int i = text.indexOf(stop);
                if (i >= 0 && i < at) {
                    at = i;
                    first = stop;
                }
            }
            if (first != null) {
                return new Ending("stop_sequence", first);
            }
        }
        return new Ending("end_turn", null);
    }
}
