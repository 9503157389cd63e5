package io.quiver.bench.kpa;

import java.util.Arrays;

/**
 * How long one request takes on a pod that is running {@code k} requests (k = 1..cap), from Quiver's measured
 * end-to-end latency per concurrency level; levels between measured ones are interpolated linearly, levels above
 * the last are extrapolated at its per-request cost. Also the pod's cold start (measured startup to ready).
 */
public record PodCapacity(int[] levels, double[] serviceSeconds, double coldStartSeconds) {

    public PodCapacity {
        if (levels.length == 0 || levels.length != serviceSeconds.length) {
            throw new IllegalArgumentException("need one service time per measured concurrency level");
        }
    }

    /** A pod whose requests take {@code seconds} regardless of load (tests, and the default without results). */
    public static PodCapacity constant(double seconds, double coldStartSeconds) {
        return new PodCapacity(new int[] {1, Integer.MAX_VALUE}, new double[] {seconds, seconds}, coldStartSeconds);
    }

    public double serviceSeconds(int running) {
        int i = Arrays.binarySearch(levels, running);
        if (i >= 0) {
            return serviceSeconds[i];
        }
        int hi = -i - 1;
        if (hi == 0) {
            return serviceSeconds[0];
        }
        if (hi == levels.length) {
            int last = levels.length - 1;
            return serviceSeconds[last] * running / levels[last];
        }
        double f = (double) (running - levels[hi - 1]) / (levels[hi] - levels[hi - 1]);
        return serviceSeconds[hi - 1] + f * (serviceSeconds[hi] - serviceSeconds[hi - 1]);
    }

    /** Requests per second a pod sustains with {@code cap} running. */
    public double throughput(int cap) {
        return cap / serviceSeconds(cap);
    }
}
