package io.quiver.models.diffusion;

/**
 * diffusers' {@code DDIMScheduler} as the pipelines step it: eta = 0 (deterministic), optional clipping of the
 * predicted original sample, no thresholding.
 */
public final class DdimScheduler implements Scheduler {
    private final double[] timesteps;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;
    private final int stepRatio;
    private final boolean vPrediction;
    private final boolean clipSample;
    private final double clipRange;

    public DdimScheduler(SchedulerConfig config, int steps) {
        String spacing = config.timestepSpacing() == null ? "leading" : config.timestepSpacing();
        timesteps = Timesteps.reversed(
                Timesteps.integerAscending(spacing, config.numTrainTimesteps(), steps, config.stepsOffset()));
        alphasCumprod = config.alphasCumprod();
        finalAlphaCumprod = config.setAlphaToOne() == null || config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
        stepRatio = config.numTrainTimesteps() / steps;
        vPrediction = config.vPrediction();
        clipSample = config.clipSample() == null || config.clipSample();
        clipRange = config.clipSampleRange();
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public void step(float[] modelOutput, int i, float[] sample, StepNoise noise) {
        int t = (int) timesteps[i];
        int prev = t - stepRatio;
        double a = alphasCumprod[t];
        double aPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
        double b = 1 - a;
        double sa = Math.sqrt(a);
        double sb = Math.sqrt(b);
        for (int k = 0; k < sample.length; k++) {
            double x = sample[k];
            double out = modelOutput[k];
            double x0;
            double eps;
            if (vPrediction) {
                x0 = sa * x - sb * out;
                eps = sa * out + sb * x;
            } else {
                x0 = (x - sb * out) / sa;
                eps = out;
            }
            if (clipSample) {
                // Only x0 is clipped: the pipelines call step without use_clipped_model_output, so the noise
                // direction keeps the model's epsilon.
                x0 = Math.max(-clipRange, Math.min(clipRange, x0));
            }
            sample[k] = (float) (Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev) * eps);
        }
    }
}
