package io.quiver.bench.results;

import java.util.Arrays;
import java.util.Collection;

/**
 * Median and p90 of a few repeated measurements (startup runs, compare rounds), interpolated linearly between
 * order statistics as numpy's default does; HdrHistogram is for thousands of requests, this for ten runs.
 */
public record SmallSample(int n, double min, double median, double p90, double max, double mean) {

    public static SmallSample of(Collection<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return new SmallSample(0, 0, 0, 0, 0, 0);
        }
        return new SmallSample(v.length, v[0], quantile(v, 0.5), quantile(v, 0.9), v[v.length - 1],
                Arrays.stream(v).average().orElse(0));
    }

    /** {@code q} in [0, 1] of sorted values. */
    public static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
