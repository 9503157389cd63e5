package io.quiver.models.chat;

/** Why a completion ended: end-of-sequence token or stop string, token limit, or the caller cancelled. */
public enum FinishReason {
    STOP, LENGTH, CANCELLED
}
