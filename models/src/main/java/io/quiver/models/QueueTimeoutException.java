package io.quiver.models;

/**
 * Work waited in an engine's own queue past the queue timeout (for a chat batch row, for the diffusion worker);
 * nothing of it ran. The API answers it like a request that waited too long for a slot.
 */
public final class QueueTimeoutException extends RuntimeException {
    public QueueTimeoutException(String waitedFor, long waitedMillis) {
        super("no " + waitedFor + " freed within the queue timeout (waited " + waitedMillis + " ms)", null, false,
                false);
    }
}
