package io.quiver.bench.kpa;

import java.util.ArrayDeque;

/**
 * The KPA's decision, as knative.dev/serving pkg/autoscaler/scaling/autoscaler.go makes it every tick:
 * desired pods from the stable and panic window averages of observed concurrency, clamped by the scale rates,
 * raised to the activation scale; panic mode when the panic-window demand reaches the panic threshold of the
 * ready pods, held until the stable window has passed without that; no scale-down while panicking; the highest
 * count of the scale-down delay held (max.TimeWindow, one bucket per tick); excess burst capacity decides whether
 * the activator stays in the request path. Stateful (panic start, max panic pods, delay window), like the Go
 * autoscaler. Min and max scale are the KPA reconciler's, applied after the decider.
 */
public final class KpaDecider {
    /**
     * The outcome of one tick. {@code deciderPods}: what Knative's decider returns; {@code desiredPods}: the same
     * within min/max scale. {@code excessBurstCapacity} < 0: the activator buffers requests.
     */
    public record Decision(int deciderPods, int desiredPods, boolean panicking, double excessBurstCapacity) {
        public Decision(int desiredPods, boolean panicking, double excessBurstCapacity) {
            this(desiredPods, desiredPods, panicking, excessBurstCapacity);
        }
    }

    private final KpaSettings s;
    private double panicSince = Double.NaN;
    private int maxPanicPods;
    /** {bucket, max pods}, decreasing maxima, as Knative's max.window keeps them. */
    private final ArrayDeque<long[]> delayWindow = new ArrayDeque<>();

    public KpaDecider(KpaSettings settings) {
        this.s = settings;
    }

    /**
     * @param now seconds since the start
     * @param stableConcurrency average concurrency over the stable window
     * @param panicConcurrency average concurrency over the panic window
     * @param readyPods pods ready now
     */
    public Decision decide(double now, double stableConcurrency, double panicConcurrency, int readyPods) {
        double ready = Math.max(1, readyPods);
        double maxUp = Math.ceil(s.maxScaleUpRate() * ready);
        double maxDown = Math.floor(ready / s.maxScaleDownRate());
        double dspc = Math.ceil(stableConcurrency / s.targetValue());
        double dppc = Math.ceil(panicConcurrency / s.targetValue());
        int desiredStable = (int) Math.min(Math.max(dspc, maxDown), maxUp);
        int desiredPanic = (int) Math.min(Math.max(dppc, maxDown), maxUp);
        if (s.activationScale() > 1) {
            // Knative raises only a count that demand asked for (dspc/dppc > 0), not one the scale-down rate holds
            if (dspc > 0) {
                desiredStable = Math.max(desiredStable, s.activationScale());
            }
            if (dppc > 0) {
                desiredPanic = Math.max(desiredPanic, s.activationScale());
            }
        }

        boolean overThreshold = dppc / ready >= s.panicThresholdPercentage() / 100;
        if (overThreshold) {
            panicSince = now; // start panicking, or extend the panic
        } else if (!Double.isNaN(panicSince) && panicSince + s.stableWindowSeconds() < now) {
            panicSince = Double.NaN; // the surge has made its way into the stable window
            maxPanicPods = 0;
        }

        int desired = desiredStable;
        boolean panicking = !Double.isNaN(panicSince);
        if (panicking) {
            desired = Math.max(desired, desiredPanic);
            maxPanicPods = Math.max(maxPanicPods, desired); // never scale down while panicking
            desired = maxPanicPods;
        }
        if (s.scaleDownDelaySeconds() > 0) {
            desired = delayed(now, desired);
        }
        int bounded = desired;
        if (s.maxScale() > 0) {
            bounded = Math.min(bounded, s.maxScale());
        }
        bounded = Math.max(bounded, s.minScale());

        double excess = s.targetBurstCapacity() == 0 ? 0
                : s.targetBurstCapacity() < 0 ? -1
                : Math.floor(readyPods * s.totalValue() - s.targetBurstCapacity() - panicConcurrency);
        return new Decision(desired, bounded, panicking, excess);
    }

    /** The highest count recorded within the scale-down delay (buckets of one tick, indexed by whole seconds). */
    private int delayed(double now, int desired) {
        long granularity = Math.max(1, Math.round(s.tickSeconds()));
        long size = (long) Math.ceil(s.scaleDownDelaySeconds() / granularity);
        long index = Math.round(now) / granularity;
        int v = desired;
        while (!delayWindow.isEmpty() && v >= delayWindow.peekLast()[1]) {
            delayWindow.pollLast();
        }
        while (!delayWindow.isEmpty() && index - delayWindow.peekFirst()[0] >= size) {
            delayWindow.pollFirst();
        }
        if (!delayWindow.isEmpty() && delayWindow.peekLast()[0] == index) {
            v = (int) Math.max(v, delayWindow.pollLast()[1]);
        }
        delayWindow.addLast(new long[] {index, v});
        return (int) delayWindow.peekFirst()[1];
    }
}
