package io.quiver.bench.load;

/**
 * What one request looked like from the client.
 *
 * @param status HTTP status, or 0 when the connection failed
 * @param ttftNanos request sent → first generated text (or the whole response when not streaming); -1 if none
 * @param e2eNanos request sent → last byte
 * @param gapsNanos gaps between successive text events of a stream (inter-token latency)
 * @param outputTokens the server's {@code usage.completion_tokens}, else the number of text events
 */
public record Outcome(int status, String error, long ttftNanos, long e2eNanos, long[] gapsNanos, int outputTokens,
                      int promptTokens) {

    public boolean ok() {
        return status == 200 && error == null;
    }

    /** The key errors are counted under: the status, or "io" for a failed connection, "stream" for a bad body. */
    public String errorKey() {
        if (status == 0) {
            return "io";
        }
        return status == 200 ? "stream" : Integer.toString(status);
    }

    /** Time per output token after the first (TPOT): what a reader of the stream feels. */
    public double tpotNanos() {
        return outputTokens > 1 && ttftNanos >= 0 ? (double) (e2eNanos - ttftNanos) / (outputTokens - 1) : -1;
    }

    public static Outcome failed(int status, String error, long e2eNanos) {
        return new Outcome(status, error, -1, e2eNanos, new long[0], 0, 0);
    }
}
