package io.quiver.runtime.api.chat;

import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.TokenLogprob;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.ApiException;
import java.util.List;

/**
 * How one route shapes completions on the wire: chat completions, legacy text completions, or another API's
 * answer and event sequence (a route may keep per-request state in its own instance). A chunk is one JSON object
 * sent as {@code data:}, a {@link Named} one also gets an {@code event:} line, and a list is sent item by item.
 */
public interface Wire {
    /** Identity shared by a response and all its chunks, and how its tokens are reported. */
    record Header(String id, long created, String model, TokenScores scores, ToolUse tools) {
    }

    /**
     * A chunk sent as a named server-sent event ({@code event: <type>}), as the Responses and Messages APIs
     * stream; both also carry the type in the data.
     */
    interface Named {
        String type();
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

    /** What a stream sends once every choice ended: the usage chunk when asked for, or null. */
    default Object ending(Header header, Completions completions, boolean includeUsage) {
        return includeUsage ? usage(header, completions.usage()) : null;
    }

    /** What a stream sends when the generation fails midway, once the status is sent: the error body itself. */
    default Object failure(Header header, ApiException error) {
        return error.body();
    }

    /** What a stream sends after a silence, to keep idle connections open. */
    default String keepAlive() {
        return ": keep-alive\n\n";
    }

    /** What ends a stream after its last chunk (empty: nothing). */
    default String end() {
        return "data: [DONE]\n\n";
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
