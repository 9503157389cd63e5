package io.quiver.gpu;

/**
 * A model cannot be placed as configured: no GPU where one was required, no room on a shared GPU, or a budget
 * too small. The message is one line meant for the pod log: what is wrong and what to change.
 */
public final class GpuPlacementException extends RuntimeException {
    public GpuPlacementException(String message) {
        super(message);
    }
}
