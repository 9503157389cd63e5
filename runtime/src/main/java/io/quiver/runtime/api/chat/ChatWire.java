package io.quiver.runtime.api.chat;

import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.ToolCallReader;
import io.quiver.models.chat.ToolCalls;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.chat.ChatProtocol.Chunk;
import io.quiver.runtime.api.chat.ChatProtocol.ChunkChoice;
import io.quiver.runtime.api.chat.ChatProtocol.Completion;
import io.quiver.runtime.api.chat.ChatProtocol.Message;
import io.quiver.runtime.api.chat.ChatProtocol.WireToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code chat.completion} and {@code chat.completion.chunk}; reasoning goes to the field(s) {@link ReasoningField}
 * names. With tools, a stream's calls go out as they are read ({@link ToolCallReader}): a call's first entry in
 * {@code delta.tool_calls} has its {@code index}, {@code id}, {@code type} and {@code function.name}, later ones its
 * {@code index} and the next {@code function.arguments} fragment, as OpenAI streams them.
 */
final class ChatWire implements Wire {
    private static final String ROLE = "assistant";

    private final ReasoningField reasoningField;

    ChatWire(ReasoningField reasoningField) {
        this.reasoningField = reasoningField;
    }

    @Override
    public String idPrefix() {
        return "chatcmpl-";
    }

    @Override
    public Object completion(Header h, List<Completions.Choice> choices, Usage usage) {
        List<ChatProtocol.Choice> out = new ArrayList<>();
        for (Completions.Choice c : choices) {
            String reasoning = c.reasoning().isEmpty() ? null : c.reasoning();
            Object logprobs = h.scores().logprobs() ? h.scores().chat(c.logprobs()) : null;
            ToolCalls.Parsed parsed = h.tools() == null ? null : h.tools().parse(c.content());
            boolean called = parsed != null && !parsed.calls().isEmpty();
            Message message = reasoningField.message(ROLE, called ? parsed.content() : c.content(), reasoning,
                    called ? ToolUse.wire(parsed.calls()) : null);
            out.add(new ChatProtocol.Choice(c.index(), message, logprobs, finishReason(c.reason(), called)));
        }
        return new Completion(h.id(), "chat.completion", h.created(), h.model(), out, ChatProtocol.Usage.of(usage));
    }

    @Override
    public List<Object> opening(Header h, int choices) {
        List<Object> chunks = new ArrayList<>();
        for (int i = 0; i < choices; i++) {
            chunks.add(chunk(h, i, new Message(ROLE, "", null, null), null, null));
        }
        return chunks;
    }

    @Override
    public Object delta(Header h, int index, Delta d) {
        boolean scored = h.scores().logprobs() && !d.logprobs().isEmpty();
        if (!d.hasText() && !scored) {
            return null;
        }
        String reasoning = d.reasoning().isEmpty() ? null : d.reasoning();
        Streamed answer = h.tools() == null || d.content().isEmpty() ? new Streamed(d.content(), null)
                : streamed(h.tools().reader(index).accept(d.content()));
        if (answer.content().isEmpty() && answer.calls() == null && reasoning == null && !scored) {
            return null;
        }
        // A scored token whose text is still held back rides on an empty content delta.
        String content = !answer.content().isEmpty() ? answer.content()
                : reasoning == null && answer.calls() == null ? "" : null;
        return chunk(h, index, reasoningField.message(null, content, reasoning, answer.calls()),
                scored ? h.scores().chat(d.logprobs()) : null, null);
    }

    @Override
    public Object finish(Header h, int index, FinishReason reason) {
        if (h.tools() != null) {
            ToolCallReader reader = h.tools().reader(index);
            Streamed rest = streamed(reader.finish());
            h.tools().release(index);
            return chunk(h, index, reasoningField.message(null, rest.content().isEmpty() ? null : rest.content(), null,
                    rest.calls()), null, finishReason(reason, reader.calls() > 0));
        }
        return chunk(h, index, new Message(null, null, null, null), null, Wire.finishReason(reason));
    }

    @Override
    public Object usage(Header h, Usage usage) {
        return new Chunk(h.id(), "chat.completion.chunk", h.created(), h.model(), List.of(),
                ChatProtocol.Usage.of(usage));
    }

    /** {@code tool_calls} when the answer made calls and ended by itself; a cut answer says why it was cut. */
    private static String finishReason(FinishReason reason, boolean called) {
        return called && reason == FinishReason.STOP ? "tool_calls" : Wire.finishReason(reason);
    }

    /** What a delta adds to the answer: text, and one {@code tool_calls} entry per call it touches (null: none). */
    private record Streamed(String content, List<WireToolCall> calls) {
    }

    private static Streamed streamed(List<ToolCallReader.Event> events) {
        StringBuilder content = new StringBuilder();
        List<WireToolCall> calls = new ArrayList<>();
        for (ToolCallReader.Event e : events) {
            switch (e) {
                case ToolCallReader.Text t -> content.append(t.text());
                case ToolCallReader.CallStart s -> calls.add(new WireToolCall(s.index(), s.id(), "function",
                        new ChatProtocol.Function(s.name(), "")));
                case ToolCallReader.Arguments a -> {
                    WireToolCall last = calls.isEmpty() ? null : calls.getLast();
                    if (last != null && last.index() == a.index()) {
                        calls.set(calls.size() - 1, new WireToolCall(a.index(), last.id(), last.type(),
                                new ChatProtocol.Function(last.function().name(), last.function().arguments()
                                        + a.fragment())));
                    } else {
                        calls.add(new WireToolCall(a.index(), null, null, new ChatProtocol.Function(null,
                                a.fragment())));
                    }
                }
            }
        }
        return new Streamed(content.toString(), calls.isEmpty() ? null : calls);
    }

    private static Chunk chunk(Header h, int index, Message delta, Object logprobs, String finishReason) {
        return new Chunk(h.id(), "chat.completion.chunk", h.created(), h.model(),
                List.of(new ChunkChoice(index, delta, logprobs, finishReason)), null);
    }
}
