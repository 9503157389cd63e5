package io.quiver.models.chat;

import io.quiver.models.InvalidRequestException;

/** A grammar that would cost more than a limit of {@link GrammarLimits} allows (a 400 naming the limit). */
public final class GrammarLimitException extends InvalidRequestException {
    private final String limit;

    GrammarLimitException(String param, String limit, String message) {
        super(param, param + ": " + message + " (" + limit + ")");
        this.limit = limit;
    }

    /** The setting of the limit the grammar is over. */
    public String limit() {
        return limit;
    }
}
