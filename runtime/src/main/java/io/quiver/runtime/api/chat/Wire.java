package io.quiver.runtime.api.chat;

import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.TokenLogprob;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.ApiException;
import java.util.List;

/**
 * How one route shapes completions on the wire: chat completions, legacy text completions, Anthropic's messages.
 * A stream chunk is a JSON value sent as {@code data:}, a {@link Named} event, or a list of chunks.
 */
public interface Wire {
    /** A server-sent event with an {@code event:} line (Anthropic's streams name each event). */
    record Named(String event, Object data) {
    }

    /** Identity shared by a response and all its chunks, and how its tokens are reported. */
    record Header(String id, long created, String model, TokenScores scores, ToolUse tools) {
    }

    String idPrefix();

    Object completion(Header header, List<Completions.Choice> choices, Usage usage);

    /** Chunks sent before any token (the chat route announces the role). */
    List<Object> opening(Header header, int choices);

    /** The chunk for a scored prompt (echo with logprobs), or null when the route shows none. */
    default Object prompt(Header header, int index, List<TokenLogprob> scored) {
        return null;
    }

    /** The chunk for a delta, or null when it carries neither text nor scored tokens. */
    Object delta(Header header, int index, Delta delta);

    Object finish(Header header, int index, FinishReason reason);

    Object usage(Header header, Usage usage);

    /** What a stream sends after a silence, to keep idle connections open. */
    default String keepAlive() {
        return ": keep-alive\n\n";
    }

    /** What ends a stream after its last chunk (empty: nothing). */
    default String end() {
        return "data: [DONE]\n\n";
    }

    /** The chunk that reports a failure mid-stream, once the status is sent. */
    default Object error(ApiException e) {
        return e.body();
    }

    /** OpenAI's names; a completion cut short by shutdown reports vLLM's "abort". */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
            case CANCELLED -> "abort";
        };
    }
}
