package io.quiver.models.diffusion;

import java.util.SplittableRandom;

/**
 * Seeded standard normal noise: {@link SplittableRandom} (a documented, stable JDK algorithm, SplitMix64) for
 * uniforms, turned into normals by the Box–Muller transform, both values of each pair used in order. The same
 * seed gives the same floats on every JVM and platform ({@link StrictMath} for the transcendental functions).
 */
public final class GaussianNoise implements Scheduler.StepNoise {
    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    public GaussianNoise(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = 1.0 - random.nextDouble(); // (0, 1]: log is finite
        double u2 = random.nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double theta = 2.0 * Math.PI * u2;
        spare = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }

    @Override
    public float[] next(int length) {
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) nextGaussian();
        }
        return out;
    }
}
