package io.quiver.runtime.api.chat;

import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.chat.CompletionProtocol.Completion;
import java.util.ArrayList;
import java.util.List;

/** Legacy {@code text_completion}: streamed chunks have the same shape as the full response. */
final class TextWire implements Wire {
    private static final String OBJECT = "text_completion";

    @Override
    public String idPrefix() {
        return "cmpl-";
    }

    @Override
    public Object completion(Header h, List<Choice> choices, Usage usage) {
        List<CompletionProtocol.Choice> out = new ArrayList<>();
        for (Choice c : choices) {
            out.add(new CompletionProtocol.Choice(c.index(), c.reasoning() + c.content(), null,
                    Wire.finishReason(c.reason())));
        }
        return new Completion(h.id(), OBJECT, h.created(), h.model(), out, ChatProtocol.Usage.of(usage));
    }

    @Override
    public List<Object> opening(Header h, int choices) {
        return List.of();
    }

    @Override
    public Object delta(Header h, int index, Delta d) {
        return d.hasText() ? chunk(h, index, d.reasoning() + d.content(), null) : null;
    }

    @Override
    public Object finish(Header h, int index, FinishReason reason) {
        return chunk(h, index, "", Wire.finishReason(reason));
    }

    @Override
    public Object usage(Header h, Usage usage) {
        return new Completion(h.id(), OBJECT, h.created(), h.model(), List.of(), ChatProtocol.Usage.of(usage));
    }

    private static Completion chunk(Header h, int index, String text, String finishReason) {
        return new Completion(h.id(), OBJECT, h.created(), h.model(),
                List.of(new CompletionProtocol.Choice(index, text, null, finishReason)), null);
    }
}
