package io.quiver.models;

/** A loaded model serving requests on its own threads: chat, encoder or diffusion. */
public interface Engine extends AutoCloseable {
    /**
     * Ends the work it holds now, so that its callers can still be answered (shutdown's cut-off): running work
     * stops at its next step, queued work never starts. Each caller learns it was cancelled; new work is accepted.
     */
    void cancelAll();
}
