package io.quiver.models;

/** A request the model cannot serve as asked (too long, out of vocabulary, bad parameter); the API maps it to 400. */
public class InvalidRequestException extends RuntimeException {
    private final String param;

    public InvalidRequestException(String param, String message) {
        super(message);
        this.param = param;
    }

    /** The request field at fault, as the OpenAI error's {@code param}; null when no single field is. */
    public String param() {
        return param;
    }
}
