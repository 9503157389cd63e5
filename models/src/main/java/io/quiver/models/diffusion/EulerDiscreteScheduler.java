package io.quiver.models.diffusion;

/**
 * diffusers' {@code EulerDiscreteScheduler} with its defaults: no churn, sigmas interpolated linearly from the
 * training schedule at the (possibly fractional) timesteps, a final sigma of zero, no Karras sigmas.
 */
public final class EulerDiscreteScheduler implements Scheduler {
    private final double[] timesteps;
    private final double[] sigmas;
    private final double initNoiseSigma;
    private final boolean vPrediction;

    public EulerDiscreteScheduler(SchedulerConfig config, int steps) {
        int n = config.numTrainTimesteps();
        String spacing = config.timestepSpacing() == null ? "linspace" : config.timestepSpacing();
        timesteps = new double[steps];
        switch (spacing) {
            case "linspace" -> {
                for (int i = 0; i < steps; i++) {
                    timesteps[steps - 1 - i] = Timesteps.linspace(0, n - 1, steps, i);
                }
            }
            case "leading", "trailing" -> {
                double[] t = Timesteps.reversed(Timesteps.integerAscending(spacing, n, steps, config.stepsOffset()));
                System.arraycopy(t, 0, timesteps, 0, steps);
            }
            default -> throw new IllegalArgumentException("timestep_spacing " + spacing);
        }
        double[] cumprod = config.alphasCumprod();
        double[] trainSigmas = new double[n];
        for (int i = 0; i < n; i++) {
            trainSigmas[i] = Math.sqrt((1 - cumprod[i]) / cumprod[i]);
        }
        sigmas = new double[steps + 1];
        double max = 0;
        for (int i = 0; i < steps; i++) {
            sigmas[i] = interpolate(trainSigmas, timesteps[i]);
            max = Math.max(max, sigmas[i]);
        }
        sigmas[steps] = 0.0;
        initNoiseSigma = "leading".equals(spacing) ? Math.sqrt(max * max + 1) : max;
        vPrediction = config.vPrediction();
    }

    /** numpy's {@code interp(t, arange(len(values)), values)}. */
    private static double interpolate(double[] values, double t) {
        if (t <= 0) {
            return values[0];
        }
        if (t >= values.length - 1) {
            return values[values.length - 1];
        }
        int lo = (int) Math.floor(t);
        double frac = t - lo;
        return frac == 0 ? values[lo] : values[lo] + (values[lo + 1] - values[lo]) * frac;
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    /** The noise levels at each step, with the final 0 appended (length = steps + 1). */
    public double[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public double initNoiseSigma() {
        return initNoiseSigma;
    }

    @Override
    public double inputScale(int i) {
        return 1.0 / Math.sqrt(sigmas[i] * sigmas[i] + 1);
    }

    @Override
    public void step(float[] modelOutput, int i, float[] sample, StepNoise noise) {
        double sigma = sigmas[i];
        double dt = sigmas[i + 1] - sigma;
        double s2 = sigma * sigma + 1;
        for (int k = 0; k < sample.length; k++) {
            double x = sample[k];
            double out = modelOutput[k];
            double x0 = vPrediction ? out * (-sigma / Math.sqrt(s2)) + x / s2 : x - sigma * out;
            double derivative = (x - x0) / sigma;
            sample[k] = (float) (x + derivative * dt);
        }
    }
}
