package io.quiver.models.chat;

/** A completion waited in the engine's queue for a batch row past {@link ChatOptions#queueTimeout}; nothing ran. */
public final class QueueTimeoutException extends RuntimeException {
    QueueTimeoutException(long waitedMillis) {
        super("no batch row freed within the queue timeout (waited " + waitedMillis + " ms)", null, false, false);
    }
}
