package io.quiver.runtime.api.chat;

import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
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
    public Object completion(Header h, List<Choice> choices, Usage usage) {
        List<ChatProtocol.Choice> out = new ArrayList<>();
        for (Choice c : choices) {
            String reasoning = c.reasoning().isEmpty() ? null : c.reasoning();
            Object logprobs = h.scores().logprobs() ? h.scores().chat(c.logprobs()) : null;
            out.add(new ChatProtocol.Choice(c.index(), new Message(ROLE, c.content(), reasoning, reasoning), logprobs,
                    Wire.finishReason(c.reason())));
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
        // A scored token whose text is still held back rides on an empty content delta.
        String content = d.content().isEmpty() ? (reasoning == null ? "" : null) : d.content();
        return chunk(h, index, new Message(null, content, reasoning, reasoning),
                scored ? h.scores().chat(d.logprobs()) : null, null);
    }

    @Override
    public Object finish(Header h, int index, FinishReason reason) {
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
