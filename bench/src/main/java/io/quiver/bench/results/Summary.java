package io.quiver.bench.results;

import java.util.List;

/**
 * One latency distribution in milliseconds: the usual percentiles plus CDF points for charts.
 *
 * @param cdf pairs {@code [percentile, value_ms]}, enough to draw the curve
 */
public record Summary(long count, double mean, double p50, double p90, double p95, double p99, double max,
                      List<double[]> cdf) {

    public static Summary empty() {
        return new Summary(0, 0, 0, 0, 0, 0, 0, List.of());
    }
}
