package io.quiver.runtime.admission;

/**
 * How fast this pod finishes requests: an exponentially weighted moving average of completions per second,
 * updated on each completion. It turns a queue length into a Retry-After estimate.
 */
final class DrainRate {
    private static final double HALF_LIFE_SECONDS = 10;
    private double rate;
    private long lastNanos;

    synchronized void completed(long nowNanos) {
        if (lastNanos == 0) {
            lastNanos = nowNanos;
            return;
        }
        double dt = Math.max((nowNanos - lastNanos) / 1e9, 1e-6);
        double alpha = 1 - Math.pow(0.5, dt / HALF_LIFE_SECONDS);
        rate = rate + alpha * (1 / dt - rate);
        lastNanos = nowNanos;
    }

    /** Whole seconds until {@code ahead} requests have drained, at least 1 and at most 60. */
    synchronized int secondsFor(int ahead) {
        if (rate <= 0) {
            return 1;
        }
        return (int) Math.max(1, Math.min(60, Math.ceil(ahead / rate)));
    }
}
