package io.quiver.runtime.admission;

/**
 * Time-weighted average of in-flight requests (running + waiting) over a sliding window, the number Knative's
 * queue-proxy reports to its autoscaler. The window is cut into one-second buckets; each change adds
 * {@code value × time at that value} to the buckets it spans, and the average is the window's area / its length.
 */
final class ConcurrencyAverage {
    private final double[] area;
    private final long startNanos;
    private long lastNanos;
    private long lastSecond;
    private int value;

    ConcurrencyAverage(int windowSeconds, long nowNanos) {
        this.area = new double[Math.max(1, windowSeconds)];
        this.startNanos = nowNanos;
        this.lastNanos = nowNanos;
    }

    synchronized void change(int delta, long nowNanos) {
        advance(nowNanos);
        value += delta;
    }

    synchronized double average(long nowNanos) {
        advance(nowNanos);
        double sum = 0;
        for (double a : area) {
            sum += a;
        }
        double covered = Math.min(area.length, (nowNanos - startNanos) / 1e9);
        return covered <= 0 ? value : sum / Math.max(covered, 1e-9);
    }

    /** Credits the current value for the time since the last change, second by second. */
    private void advance(long nowNanos) {
        while (lastNanos < nowNanos) {
            long second = (lastNanos - startNanos) / 1_000_000_000L;
            if (second != lastSecond) {
                // Entering a new second: its bucket held a value from one window ago.
                for (long s = lastSecond + 1; s <= second && s - lastSecond <= area.length; s++) {
                    area[(int) (s % area.length)] = 0;
                }
                lastSecond = second;
            }
            long secondEnd = startNanos + (second + 1) * 1_000_000_000L;
            long until = Math.min(secondEnd, nowNanos);
            area[(int) (second % area.length)] += value * (until - lastNanos) / 1e9;
            lastNanos = until;
        }
    }
}
