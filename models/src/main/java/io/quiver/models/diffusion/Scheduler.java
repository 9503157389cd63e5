package io.quiver.models.diffusion;

/**
 * One denoising run's noise schedule, built for a number of inference steps. A scheduler may keep state between
 * steps (PNDM's multistep history), so each generation makes its own instance; {@link #step} must be called for
 * each of {@link #timesteps()} in order.
 */
public interface Scheduler {

    /** The timestep fed to the UNet at each model evaluation, in order (PNDM evaluates one more than the steps). */
    double[] timesteps();

    /** The standard deviation of the initial noise: latents start as noise × this (1 but Euler). */
    default double initNoiseSigma() {
        return 1.0;
    }

    /** The factor {@code scale_model_input} applies to the latents before the UNet at step {@code i} (1 but Euler). */
    default double inputScale(int i) {
        return 1.0;
    }

    /**
     * Advances the latents one step, in place.
     *
     * @param modelOutput the (guided) UNet output, same layout as {@code sample}
     * @param i the index into {@link #timesteps()}
     * @param sample the latents at step {@code i}; replaced by the latents at step {@code i + 1}
     * @param noise fresh standard normal noise for stochastic schedulers (LCM); deterministic ones never call it
     */
    void step(float[] modelOutput, int i, float[] sample, StepNoise noise);

    /** Fresh Gaussian noise the size of the latents, for schedulers that add noise between steps. */
    @FunctionalInterface
    interface StepNoise {
        float[] next(int length);

        StepNoise NONE = length -> {
            throw new IllegalStateException("this scheduler takes no noise");
        };
    }
}
