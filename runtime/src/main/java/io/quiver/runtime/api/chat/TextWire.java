package io.quiver.runtime.api.chat;

import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.TokenLogprob;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.chat.CompletionProtocol.Completion;
import java.util.ArrayList;
import java.util.List;

/**
 * Legacy {@code text_completion}: streamed chunks have the same shape as the full response. With {@code echo} the
 * prompt's text comes first (a stream's first chunk), scored when log probabilities were asked for.
 */
final class TextWire implements Wire {
    private static final String OBJECT = "text_completion";

    @Override
    public String idPrefix() {
        return "cmpl-";
    }

    @Override
    public Object completion(Header h, List<Completions.Choice> choices, Usage usage) {
        List<CompletionProtocol.Choice> out = new ArrayList<>();
        for (Completions.Choice c : choices) {
            String echo = h.scores().echo(c.index());
            Object logprobs = h.scores().logprobs() ? h.scores().text(c.index(), c.prompt(), c.logprobs()) : null;
            out.add(new CompletionProtocol.Choice(c.index(), (echo == null ? "" : echo) + c.reasoning() + c.content(),
                    logprobs, Wire.finishReason(c.reason())));
        }
        return new Completion(h.id(), OBJECT, h.created(), h.model(), out, ChatProtocol.Usage.of(usage));
    }

    /** The echoed prompts that no scored prompt will carry (echo without logprobs). */
    @Override
    public List<Object> opening(Header h, int choices) {
        List<Object> chunks = new ArrayList<>();
        for (int i = 0; i < choices; i++) {
            String echo = h.scores().echo(i);
            if (echo != null && !h.scores().logprobs()) {
                chunks.add(chunk(h, i, echo, null, null));
            }
        }
        return chunks;
    }

    @Override
    public Object prompt(Header h, int index, List<TokenLogprob> scored) {
        String echo = h.scores().echo(index);
        if (echo == null || !h.scores().logprobs()) {
            return null;
        }
        return chunk(h, index, echo, h.scores().text(index, scored, List.of()), null);
    }

    @Override
    public Object delta(Header h, int index, Delta d) {
        boolean scored = h.scores().logprobs() && !d.logprobs().isEmpty();
        if (!d.hasText() && !scored) {
            return null;
        }
        return chunk(h, index, d.reasoning() + d.content(),
                scored ? h.scores().text(index, null, d.logprobs()) : null, null);
    }

    @Override
    public Object finish(Header h, int index, FinishReason reason) {
        return chunk(h, index, "", null, Wire.finishReason(reason));
    }

    @Override
    public Object usage(Header h, Usage usage) {
        return new Completion(h.id(), OBJECT, h.created(), h.model(), List.of(), ChatProtocol.Usage.of(usage));
    }

    private static Completion chunk(Header h, int index, String text, Object logprobs, String finishReason) {
        return new Completion(h.id(), OBJECT, h.created(), h.model(),
                List.of(new CompletionProtocol.Choice(index, text, logprobs, finishReason)), null);
    }
}
