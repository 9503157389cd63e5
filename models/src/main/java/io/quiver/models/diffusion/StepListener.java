package io.quiver.models.diffusion;

/** Told after each denoising step (one UNet evaluation over the whole batch), e.g. to count steps in a metric. */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = (step, total) -> { };

    /**
     * @param step 1-based index of the step just finished
     * @param total the number of steps this generation runs (PNDM runs one more than requested)
     */
    void onStep(int step, int total);
}
