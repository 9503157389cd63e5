package io.quiver.models.diffusion;

import java.util.List;

/**
 * The diffusers {@code timestep_spacing} rules, in one place. Rounding is {@link Math#rint} (half to even), as
 * numpy's {@code round} does.
 */
final class Timesteps {
    static final List<String> SPACINGS = List.of("leading", "trailing", "linspace");

    private Timesteps() {
    }

    /**
     * Integer timesteps in ascending order, as DDIM and PNDM build them: {@code leading} is
     * {@code arange(steps) * (N // steps) + steps_offset}, {@code trailing} is {@code round(arange(N, 0, -N/steps)) - 1},
     * {@code linspace} is {@code round(linspace(0, N - 1, steps))}.
     */
    static long[] integerAscending(String spacing, int trainSteps, int steps, int stepsOffset) {
        long[] t = new long[steps];
        switch (spacing) {
            case "leading" -> {
                long ratio = trainSteps / steps;
                for (int i = 0; i < steps; i++) {
                    t[i] = i * ratio + stepsOffset;
                }
            }
            case "trailing" -> {
                double ratio = (double) trainSteps / steps;
                for (int i = 0; i < steps; i++) {
                    t[steps - 1 - i] = (long) Math.rint(trainSteps - i * ratio) - 1;
                }
            }
            case "linspace" -> {
                for (int i = 0; i < steps; i++) {
                    t[i] = (long) Math.rint(linspace(0, trainSteps - 1, steps, i));
                }
            }
            default -> throw new IllegalArgumentException("timestep_spacing " + spacing);
        }
        return t;
    }

    /** numpy's {@code linspace(from, to, count)[i]}. */
    static double linspace(double from, double to, int count, int i) {
        if (count == 1) {
            return from;
        }
        double step = (to - from) / (count - 1);
        return i == count - 1 ? to : i * step + from;
    }

    static double[] reversed(long[] ascending) {
        double[] out = new double[ascending.length];
        for (int i = 0; i < ascending.length; i++) {
            out[i] = ascending[ascending.length - 1 - i];
        }
        return out;
    }
}
