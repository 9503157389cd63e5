package io.quiver.bench.results;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Thread-safe latency recorder in microseconds (1 µs to 1 h, 3 significant digits), summarised in milliseconds.
 * HdrHistogram rather than a list of samples: constant memory over a 30-minute soak, exact enough percentiles.
 */
public final class LatencyHistogram {
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
    /** CDF points: dense in the tail, where serving systems differ. */
    private static final double[] CDF_PERCENTILES = {0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95,
            97.5, 99, 99.5, 99.9, 100};

    private final Histogram histogram = new ConcurrentHistogram(1, MAX_MICROS, 3);

    public void recordNanos(long nanos) {
        recordMicros(Math.max(1, nanos / 1_000));
    }

    public void recordMicros(long micros) {
        histogram.recordValue(Math.clamp(micros, 1, MAX_MICROS));
    }

    public long count() {
        return histogram.getTotalCount();
    }

    public void add(LatencyHistogram other) {
        histogram.add(other.histogram);
    }

    public Summary summary() {
        if (histogram.getTotalCount() == 0) {
            return Summary.empty();
        }
        List<double[]> cdf = new ArrayList<>(CDF_PERCENTILES.length);
        for (double p : CDF_PERCENTILES) {
            cdf.add(new double[] {p, ms(histogram.getValueAtPercentile(p))});
        }
        return new Summary(histogram.getTotalCount(), histogram.getMean() / 1e3, ms(at(50)), ms(at(90)), ms(at(95)),
                ms(at(99)), ms(histogram.getMaxValue()), cdf);
    }

    private long at(double percentile) {
        return histogram.getValueAtPercentile(percentile);
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }
}
