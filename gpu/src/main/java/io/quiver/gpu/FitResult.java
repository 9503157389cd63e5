package io.quiver.gpu;

/**
 * The answer of a {@link FitCheck}: where the model goes, and the one line that says why.
 *
 * @param placement where to open the model's sessions; the CPU after a fallback
 */
public record FitResult(Outcome outcome, Placement placement, String message) {
    public enum Outcome {
        /** Fits the budget, or runs on the CPU anyway. */
        FITS,
        /** Did not fit; {@code quiver.gpu.on-insufficient-memory=cpu} sends it to the CPU. */
        FELL_BACK_TO_CPU,
        /** Did not fit and the policy is {@code fail}. */
        DOES_NOT_FIT
    }

    public boolean ok() {
        return outcome != Outcome.DOES_NOT_FIT;
    }

    /** The placement to load with, or the failure as a {@link GpuPlacementException} carrying the message. */
    public Placement placementOrThrow() {
        if (!ok()) {
            throw new GpuPlacementException(message);
        }
        return placement;
    }
}
