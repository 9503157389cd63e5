package io.quiver.bench.kpa;

/**
 * One window average of per-second concurrency, computed as Knative's aggregation.TimedFloat64Buckets computes
 * it (1 s buckets, ceil(window) of them): a running total that adds each second's value and drops the one it
 * overwrites, divided by the buckets written so far (at most the window's), floored to six decimals. The same
 * floating-point steps as Knative's, so a value on a pod boundary rounds the same way.
 */
final class ConcurrencyWindow {
    private final double[] buckets;
    private double total;
    private int written;

    ConcurrencyWindow(double windowSeconds) {
        buckets = new double[Math.max(1, (int) Math.ceil(windowSeconds - 1e-9))];
    }

    /** Records the next second's average concurrency (seconds come in order, none skipped). */
    void record(double value) {
        int i = written % buckets.length;
        total -= buckets[i];
        buckets[i] = 0;
        buckets[i] += value;
        total += value;
        written++;
    }

    double average() {
        if (written == 0) {
            return 0;
        }
        double n = Math.min(written, buckets.length);
        return Math.floor(total / n * 1e6) / 1e6;
    }
}
