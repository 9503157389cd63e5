package io.quiver.models.diffusion;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code PNDMScheduler}. With {@code skip_prk_steps} (Stable Diffusion 1.x's config) it runs pseudo linear
 * multistep (PLMS) steps only, the first one repeated: {@code steps + 1} model evaluations. Without it (the class's
 * default) it starts with Runge–Kutta steps over the last four timesteps (12 evaluations, so at least 4 steps)
 * and runs PLMS over the rest: {@code steps + 9} evaluations.
 */
public final class PndmScheduler implements Scheduler {
    private static final int ORDER = 4;

    private final double[] timesteps;
    private final int prkCount;
    private final double[] alphasCumprod;
    private final double finalAlphaCumprod;
    private final int stepRatio;
    private final boolean vPrediction;
    private final List<float[]> ets = new ArrayList<>();
    private int counter;
    private float[] curSample;
    private double[] curModelOutput;

    public PndmScheduler(SchedulerConfig config, int steps) {
        String spacing = config.timestepSpacing() == null ? "leading" : config.timestepSpacing();
        int n = config.numTrainTimesteps();
        long[] t = Timesteps.integerAscending(spacing, n, steps, config.stepsOffset());
        List<Long> prk = new ArrayList<>();
        List<Long> plms = new ArrayList<>();
        if (config.skipPrkSteps()) {
            // concatenate([t[:-1], t[-2:-1], t[-1:]])[::-1]: the second-to-last timestep twice, then reversed.
            for (int i = 0; i < t.length - 1; i++) {
                plms.add(t[i]);
            }
            if (t.length >= 2) {
                plms.add(t[t.length - 2]);
            }
            plms.add(t[t.length - 1]);
        } else {
            if (steps < ORDER) {
                throw new IllegalArgumentException("PNDM with Runge-Kutta steps (skip_prk_steps false) needs at least "
                        + ORDER + " steps");
            }
            // t[-4:].repeat(2) + tile([0, N // steps // 2], 4); then [:-1].repeat(2)[1:-1], reversed.
            long half = n / steps / 2;
            List<Long> pairs = new ArrayList<>();
            for (int i = t.length - ORDER; i < t.length; i++) {
                pairs.add(t[i]);
                pairs.add(t[i] + half);
            }
            pairs.removeLast();
            List<Long> doubled = new ArrayList<>();
            for (long v : pairs) {
                doubled.add(v);
                doubled.add(v);
            }
            prk.addAll(doubled.subList(1, doubled.size() - 1));
            for (int i = 0; i < t.length - 3; i++) {
                plms.add(t[i]);
            }
        }
        prkCount = prk.size();
        timesteps = new double[prk.size() + plms.size()];
        for (int i = 0; i < prk.size(); i++) {
            timesteps[i] = prk.get(prk.size() - 1 - i);
        }
        for (int i = 0; i < plms.size(); i++) {
            timesteps[prk.size() + i] = plms.get(plms.size() - 1 - i);
        }
        alphasCumprod = config.alphasCumprod();
        finalAlphaCumprod = config.setAlphaToOne() != null && config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
        stepRatio = n / steps;
        vPrediction = config.vPrediction();
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public void step(float[] modelOutput, int i, float[] sample, StepNoise noise) {
        if (counter < prkCount) {
            stepPrk(modelOutput, i, sample);
        } else {
            stepPlms(modelOutput, i, sample);
        }
    }

    /** diffusers' step_prk: the four evaluations of one Runge–Kutta step, each moving from the step's start. */
    private void stepPrk(float[] modelOutput, int i, float[] sample) {
        int diffToPrev = counter % 2 == 1 ? 0 : stepRatio / 2;
        int prev = (int) timesteps[i] - diffToPrev;
        int t = (int) timesteps[counter / 4 * 4];
        double[] out = new double[sample.length];
        int phase = counter % 4;
        if (phase == 0) {
            curModelOutput = new double[sample.length];
            ets.add(modelOutput.clone());
            curSample = sample.clone();
        }
        for (int k = 0; k < out.length; k++) {
            switch (phase) {
                case 0 -> curModelOutput[k] += modelOutput[k] / 6.0;
                case 1, 2 -> curModelOutput[k] += modelOutput[k] / 3.0;
                default -> { }
            }
            out[k] = phase == 3 ? curModelOutput[k] + modelOutput[k] / 6.0 : modelOutput[k];
        }
        if (phase == 3) {
            curModelOutput = null;
        }
        counter++;
        previousSample(curSample, t, prev, out, sample);
    }

    private void stepPlms(float[] modelOutput, int i, float[] sample) {
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
        previousSample(x, t, prev, out, sample);
    }

    /** diffusers' _get_prev_sample (formula (9) of the PNDM paper), from {@code x} at t to {@code target} at prev. */
    private void previousSample(float[] x, int t, int prev, double[] out, float[] target) {
        double a = alphasCumprod[t];
        double aPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod;
        double b = 1 - a;
        double bPrev = 1 - aPrev;
        double sampleCoeff = Math.sqrt(aPrev / a);
        double denom = a * Math.sqrt(bPrev) + Math.sqrt(a * b * aPrev);
        for (int k = 0; k < target.length; k++) {
            double xs = x[k];
            double o = vPrediction ? Math.sqrt(a) * out[k] + Math.sqrt(b) * xs : out[k];
            target[k] = (float) (sampleCoeff * xs - (aPrev - a) * o / denom);
        }
    }
}
