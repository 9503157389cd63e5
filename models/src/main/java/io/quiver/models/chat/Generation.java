package io.quiver.models.chat;

/** A submitted completion. */
public interface Generation {
    /**
     * Stops the completion and frees its batch slot at the scheduler's next step. The listener then gets
     * {@code onComplete(CANCELLED, …)}, or nothing further when the completion had already ended. Safe from any thread.
     */
    void cancel();

    /** True once the listener has had its final callback. */
    boolean isDone();
}
