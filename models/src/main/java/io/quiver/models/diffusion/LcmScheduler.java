package io.quiver.models.diffusion;

/**
 * diffusers' {@code LCMScheduler} for latent consistency models: timesteps picked from the distillation's
 * {@code original_inference_steps} grid, boundary-condition scalings ({@code sigma_data} 0.5,
 * {@code timestep_scaling}), and fresh noise injected between steps.
 */
public final class LcmScheduler implements Scheduler {
    private static final double SIGMA_DATA = 0.5;

    private final double[] timesteps;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;
    private final boolean vPrediction;
    private final double timestepScaling;
    private final boolean clipSample;
    private final double clipRange;

    public LcmScheduler(SchedulerConfig config, int steps) {
        int original = config.originalInferenceSteps();
        if (steps > original) {
            throw new IllegalArgumentException("LCM runs at most original_inference_steps = " + original + " steps");
        }
        int k = config.numTrainTimesteps() / original;
        // origin timesteps k·(1..original) − 1, descending; pick floor(linspace(0, original, steps, endpoint=False)).
        timesteps = new double[steps];
        for (int i = 0; i < steps; i++) {
            int index = (int) Math.floor((double) original / steps * i);
            timesteps[i] = (long) (original - index) * k - 1;
        }
        alphasCumprod = config.alphasCumprod();
        finalAlphaCumprod = config.setAlphaToOne() == null || config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
        vPrediction = config.vPrediction();
        timestepScaling = config.timestepScaling();
        clipSample = config.clipSample() != null && config.clipSample();
        clipRange = config.clipSampleRange();
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public void step(float[] modelOutput, int i, float[] sample, StepNoise noise) {
        int t = (int) timesteps[i];
        boolean last = i + 1 >= timesteps.length;
        int prev = last ? t : (int) timesteps[i + 1];
        double a = alphasCumprod[t];
        double aPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
        double b = 1 - a;
        double scaled = t * timestepScaling;
        double cSkip = SIGMA_DATA * SIGMA_DATA / (scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        double cOut = scaled / Math.sqrt(scaled * scaled + SIGMA_DATA * SIGMA_DATA);
        float[] z = last ? null : noise.next(sample.length);
        for (int k = 0; k < sample.length; k++) {
            double x = sample[k];
            double out = modelOutput[k];
            double x0 = vPrediction ? Math.sqrt(a) * x - Math.sqrt(b) * out : (x - Math.sqrt(b) * out) / Math.sqrt(a);
            if (clipSample) {
                x0 = Math.max(-clipRange, Math.min(clipRange, x0));
            }
            double denoised = cOut * x0 + cSkip * x;
            sample[k] = (float) (last ? denoised : Math.sqrt(aPrev) * denoised + Math.sqrt(1 - aPrev) * z[k]);
        }
    }

    /**
     * The guidance-scale embedding an LCM UNet takes as {@code timestep_cond}: sinusoidal features of
     * {@code (guidance − 1) · 1000}, sin then cos, as {@code LatentConsistencyModelPipeline} builds it, in float32
     * operation by operation as it does (the arguments reach thousands of radians, so the rounding shows).
     */
    public static float[] guidanceEmbedding(double w, int dim) {
        float[] emb = new float[dim];
        int half = dim / 2;
        float scale = (float) Math.log(10000.0f) / (half - 1);
        float scaled = (float) w * 1000.0f;
        for (int j = 0; j < half; j++) {
            float v = scaled * (float) Math.exp(j * -scale);
            emb[j] = (float) Math.sin(v);
            emb[half + j] = (float) Math.cos(v);
        }
        return emb;
    }
}
