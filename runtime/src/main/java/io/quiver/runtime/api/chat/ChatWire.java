package io.quiver.runtime.api.chat;

import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.ToolCalls;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.chat.ChatProtocol.Chunk;
import io.quiver.runtime.api.chat.ChatProtocol.ChunkChoice;
import io.quiver.runtime.api.chat.ChatProtocol.Completion;
import io.quiver.runtime.api.chat.ChatProtocol.Message;
import java.util.ArrayList;
import java.util.List;

/** {@code chat.completion} and {@code chat.completion.chunk}; reasoning goes to {@code reasoning_content}. */
final class ChatWire implements Wire {
    private static final String ROLE = "assistant";

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
            Message message = called ? new Message(ROLE, parsed.content(), reasoning, reasoning,
                    ToolUse.wire(parsed.calls(), false)) : new Message(ROLE, c.content(), reasoning, reasoning);
            out.add(new ChatProtocol.Choice(c.index(), message, logprobs, called && c.reason() == FinishReason.STOP
                    ? "tool_calls" : Wire.finishReason(c.reason())));
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
        if (h.tools() != null) {
            // With tools, the answer's text is held to its end; reasoning and scores still stream.
            h.tools().hold(index, d.content());
            if (d.reasoning().isEmpty() && !scored) {
                return null;
            }
            String reasoning = d.reasoning().isEmpty() ? null : d.reasoning();
            return chunk(h, index, new Message(null, null, reasoning, reasoning),
                    scored ? h.scores().chat(d.logprobs()) : null, null);
        }
        String reasoning = d.reasoning().isEmpty() ? null : d.reasoning();
        // A scored token whose text is still held back rides on an empty content delta.
        String content = d.content().isEmpty() ? (reasoning == null ? "" : null) : d.content();
        return chunk(h, index, new Message(null, content, reasoning, reasoning),
                scored ? h.scores().chat(d.logprobs()) : null, null);
    }

    @Override
    public Object finish(Header h, int index, FinishReason reason) {
        if (h.tools() != null) {
            ToolCalls.Parsed parsed = h.tools().release(index);
            boolean called = !parsed.calls().isEmpty();
            String content = parsed.content() == null || parsed.content().isEmpty() ? null : parsed.content();
            return chunk(h, index, new Message(null, content, null, null, called ? ToolUse.wire(parsed.calls(), true)
                    : null), null, called && reason == FinishReason.STOP ? "tool_calls" : Wire.finishReason(reason));
        }
        return chunk(h, index, new Message(null, null, null, null), null, Wire.finishReason(reason));
    }

    @Override
    public Object usage(Header h, Usage usage) {
        return new Chunk(h.id(), "chat.completion.chunk", h.created(), h.model(), List.of(),
                ChatProtocol.Usage.of(usage));
    }

    private static Chunk chunk(Header h, int index, Message delta, Object logprobs, String finishReason) {
        return new Chunk(h.id(), "chat.completion.chunk", h.created(), h.model(),
                List.of(new ChunkChoice(index, delta, logprobs, finishReason)), null);
    }
}
