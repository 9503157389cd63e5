package io.quiver.bench.kpa;

/**
 * The KPA's decision, as knative.dev/serving pkg/autoscaler/scaling/autoscaler.go makes it every tick:
 * desired pods from the stable and panic window averages of observed concurrency, clamped by the scale rates;
 * panic mode when the panic-window demand reaches the panic threshold of the ready pods, held until the stable
 * window has passed without that; no scale-down while panicking; excess burst capacity decides whether the
 * activator stays in the request path. Stateful (panic start, max panic pods), like the Go autoscaler.
 */
public final class KpaDecider {
    /** The outcome of one tick. {@code excessBurstCapacity} < 0: the activator buffers requests. */
    public record Decision(int desiredPods, boolean panicking, double excessBurstCapacity) {
    }

    private final KpaSettings s;
    private double panicSince = Double.NaN;
    private int maxPanicPods;

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
            desiredStable = activation(desiredStable);
            desiredPanic = activation(desiredPanic);
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
        if (s.maxScale() > 0) {
            desired = Math.min(desired, s.maxScale());
        }
        desired = Math.max(desired, s.minScale());

        double excess = s.targetBurstCapacity() == 0 ? 0
                : s.targetBurstCapacity() < 0 ? -1
                : Math.floor(readyPods * s.containerConcurrency() - s.targetBurstCapacity() - panicConcurrency);
        return new Decision(desired, panicking, excess);
    }

    private int activation(int desired) {
        return desired > 0 && desired < s.activationScale() ? s.activationScale() : desired;
    }
}
