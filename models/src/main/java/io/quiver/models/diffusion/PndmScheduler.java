package io.quiver.models.diffusion;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code PNDMScheduler} with {@code skip_prk_steps} (Stable Diffusion 1.x's default): pseudo linear
 * multistep (PLMS) steps only. The first step is repeated, so it runs {@code steps + 1} model evaluations.
 * Configs that ask for the Runge–Kutta warm-up ({@code skip_prk_steps: false}) still get PLMS; see the report.
 */
public final class PndmScheduler implements Scheduler {
    private final double[] timesteps;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;
    private final int stepRatio;
    private final boolean vPrediction;
    private final List<float[]> ets = new ArrayList<>();
    private int counter;
    private float[] curSample;

    public PndmScheduler(SchedulerConfig config, int steps) {
        String spacing = config.timestepSpacing() == null ? "leading" : config.timestepSpacing();
        long[] t = Timesteps.integerAscending(spacing, config.numTrainTimesteps(), steps, config.stepsOffset());
        // concatenate([t[:-1], t[-2:-1], t[-1:]])[::-1]: the second-to-last timestep twice, then reversed.
        List<Long> plms = new ArrayList<>();
        for (int i = 0; i < t.length - 1; i++) {
            plms.add(t[i]);
        }
        if (t.length >= 2) {
            plms.add(t[t.length - 2]);
        }
        plms.add(t[t.length - 1]);
        timesteps = new double[plms.size()];
        for (int i = 0; i < timesteps.length; i++) {
            timesteps[i] = plms.get(plms.size() - 1 - i);
        }
        alphasCumprod = config.alphasCumprod();
        finalAlphaCumprod = config.setAlphaToOne() != null && config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
        stepRatio = config.numTrainTimesteps() / steps;
        vPrediction = config.vPrediction();
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public void step(float[] modelOutput, int i, float[] sample, StepNoise noise) {
        int t = (int) timesteps[i];
        int prev = t - stepRatio;
        if (counter != 1) {
            while (ets.size() > 3) {
                ets.removeFirst();
            }
            ets.add(modelOutput.clone());
        } else {
            prev = t;
            t = t + stepRatio;
        }
        int n = ets.size();
        float[] x = sample;
        double[] out = new double[sample.length];
        if (n == 1 && counter == 0) {
            curSample = sample.clone();
            for (int k = 0; k < out.length; k++) {
                out[k] = modelOutput[k];
            }
        } else if (n == 1 && counter == 1) {
            float[] e1 = ets.getLast();
            for (int k = 0; k < out.length; k++) {
                out[k] = ((double) modelOutput[k] + e1[k]) / 2;
            }
            x = curSample;
            curSample = null;
        } else if (n == 2) {
            float[] e1 = ets.get(1);
            float[] e2 = ets.get(0);
            for (int k = 0; k < out.length; k++) {
                out[k] = (3.0 * e1[k] - e2[k]) / 2;
            }
        } else if (n == 3) {
            float[] e1 = ets.get(2);
            float[] e2 = ets.get(1);
            float[] e3 = ets.get(0);
            for (int k = 0; k < out.length; k++) {
                out[k] = (23.0 * e1[k] - 16.0 * e2[k] + 5.0 * e3[k]) / 12;
            }
        } else {
            float[] e1 = ets.get(n - 1);
            float[] e2 = ets.get(n - 2);
            float[] e3 = ets.get(n - 3);
            float[] e4 = ets.get(n - 4);
            for (int k = 0; k < out.length; k++) {
                out[k] = (55.0 * e1[k] - 59.0 * e2[k] + 37.0 * e3[k] - 9.0 * e4[k]) / 24;
            }
        }
        counter++;
        double a = alphasCumprod[t];
        double aPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
        double b = 1 - a;
        double bPrev = 1 - aPrev;
        double sampleCoeff = Math.sqrt(aPrev / a);
        double denom = a * Math.sqrt(bPrev) + Math.sqrt(a * b * aPrev);
        for (int k = 0; k < sample.length; k++) {
            double xs = x[k];
            double o = vPrediction ? Math.sqrt(a) * out[k] + Math.sqrt(b) * xs : out[k];
            sample[k] = (float) (sampleCoeff * xs - (aPrev - a) * o / denom);
        }
    }
}
