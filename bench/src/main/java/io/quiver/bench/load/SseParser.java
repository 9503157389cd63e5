package io.quiver.bench.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Server-sent events, as OpenAI-compatible servers stream them: {@code data:} lines make an event, a blank line
 * ends it, lines starting with {@code :} are comments (keep-alives) and are ignored, {@code data: [DONE]} ends the
 * stream. Fed line by line so that the caller can timestamp each event when its last line arrives.
 */
public final class SseParser {
    /** The payload that ends an OpenAI stream. */
    public static final String DONE = "[DONE]";

    private final List<String> data = new ArrayList<>();
    private boolean done;

    /**
     * Takes one line (without its line terminator) and returns the event's data when this line completes an event,
     * otherwise null. The {@code [DONE]} marker is returned like any other data, and {@link #done()} turns true.
     */
    public String accept(String line) {
        if (line.isEmpty()) {
            return dispatch();
        }
        if (line.startsWith(":")) {
            return null;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("data")) {
            data.add(value);
        }
        // event:, id:, retry: carry nothing an OpenAI stream needs.
        return null;
    }

    /** Dispatches what is pending at the end of the body (a server that omits the final blank line). */
    public String finish() {
        return dispatch();
    }

    public boolean done() {
        return done;
    }

    private String dispatch() {
        if (data.isEmpty()) {
            return null;
        }
        String payload = String.join("\n", data);
        data.clear();
        if (payload.equals(DONE)) {
            done = true;
        }
        return payload;
    }
}
