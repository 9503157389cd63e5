package io.quiver.bench.kpa;

/**
 * The KPA's knobs, with Knative's defaults (config-autoscaler): stable window 60 s, panic window 10 % of it,
 * panic threshold 200 %, target utilisation 70 %, target burst capacity 211, max scale up 1000×, down 2×,
 * no scale-down delay, scale-to-zero grace 30 s, no last-pod retention, a decision every 2 s; the traces start
 * with a revision that exists already (initial scale 0).
 *
 * @param containerConcurrency the hard cap per pod (Knative's containerConcurrency = quiver.concurrency.max)
 * @param target {@code autoscaling.knative.dev/target}, in-flight requests per pod; 0: the cap
 * @param targetUtilization fraction of the target the autoscaler aims at (target-utilization-percentage / 100)
 * @param scaleDownDelaySeconds {@code scale-down-delay}: the decider holds the highest count of this long
 * @param scaleToZeroRetentionSeconds {@code scale-to-zero-pod-retention-period}: the last pod's minimum stay
 * @param initialScale pods the revision starts with (at t = 0)
 */
public record KpaSettings(int containerConcurrency, double target, double targetUtilization,
                          double stableWindowSeconds, double panicWindowPercentage, double panicThresholdPercentage,
                          double targetBurstCapacity, double maxScaleUpRate, double maxScaleDownRate,
                          double scaleDownDelaySeconds, double scaleToZeroGraceSeconds,
                          double scaleToZeroRetentionSeconds, double tickSeconds, int minScale, int maxScale,
                          int initialScale, int activationScale) {

    public static KpaSettings defaults(int containerConcurrency) {
        return new KpaSettings(containerConcurrency, 0, 0.7, 60, 10, 200, 211, 1000, 2, 0, 30, 0, 2, 0, 0, 0, 1);
    }

    /**
     * Knative's TotalValue: the target annotation, never above containerConcurrency
     * (pkg/reconciler/autoscaling/resources.ResolveMetricTarget).
     */
    public double totalValue() {
        return target > 0 ? Math.min(target, containerConcurrency) : containerConcurrency;
    }

    /** What the autoscaler aims at per pod: total × utilisation (Knative: TargetValue, at least 0.01). */
    public double targetValue() {
        return Math.max(0.01, totalValue() * targetUtilization);
    }

    public double panicWindowSeconds() {
        return stableWindowSeconds * panicWindowPercentage / 100;
    }

    /** How long a zero decision must hold before the last pod goes: the grace or the retention, the longer. */
    public double lastPodSeconds() {
        return Math.max(scaleToZeroGraceSeconds, scaleToZeroRetentionSeconds);
    }

    public KpaSettings withTarget(double perPod, double utilization) {
        return new KpaSettings(containerConcurrency, perPod, utilization, stableWindowSeconds, panicWindowPercentage,
                panicThresholdPercentage, targetBurstCapacity, maxScaleUpRate, maxScaleDownRate,
                scaleDownDelaySeconds, scaleToZeroGraceSeconds, scaleToZeroRetentionSeconds, tickSeconds, minScale,
                maxScale, initialScale, activationScale);
    }

    public KpaSettings withTargetUtilization(double utilization) {
        return withTarget(target, utilization);
    }

    public KpaSettings withStableWindow(double seconds) {
        return withWindows(seconds, panicWindowPercentage, panicThresholdPercentage);
    }

    public KpaSettings withWindows(double stableSeconds, double panicPercentage, double thresholdPercentage) {
        return new KpaSettings(containerConcurrency, target, targetUtilization, stableSeconds, panicPercentage,
                thresholdPercentage, targetBurstCapacity, maxScaleUpRate, maxScaleDownRate, scaleDownDelaySeconds,
                scaleToZeroGraceSeconds, scaleToZeroRetentionSeconds, tickSeconds, minScale, maxScale, initialScale,
                activationScale);
    }

    public KpaSettings withScaleRates(double up, double down) {
        return new KpaSettings(containerConcurrency, target, targetUtilization, stableWindowSeconds,
                panicWindowPercentage, panicThresholdPercentage, targetBurstCapacity, up, down, scaleDownDelaySeconds,
                scaleToZeroGraceSeconds, scaleToZeroRetentionSeconds, tickSeconds, minScale, maxScale, initialScale,
                activationScale);
    }

    public KpaSettings withScaleBounds(int min, int max) {
        return new KpaSettings(containerConcurrency, target, targetUtilization, stableWindowSeconds,
                panicWindowPercentage, panicThresholdPercentage, targetBurstCapacity, maxScaleUpRate,
                maxScaleDownRate, scaleDownDelaySeconds, scaleToZeroGraceSeconds, scaleToZeroRetentionSeconds,
                tickSeconds, min, max, initialScale, activationScale);
    }

    /** Scale-down delay, last-pod retention, initial scale and activation scale. */
    public KpaSettings withDelays(double scaleDownDelay, double retention, int initial, int activation) {
        return new KpaSettings(containerConcurrency, target, targetUtilization, stableWindowSeconds,
                panicWindowPercentage, panicThresholdPercentage, targetBurstCapacity, maxScaleUpRate,
                maxScaleDownRate, scaleDownDelay, scaleToZeroGraceSeconds, retention, tickSeconds, minScale,
                maxScale, initial, activation);
    }

    public KpaSettings withBurstCapacity(double tbc) {
        return new KpaSettings(containerConcurrency, target, targetUtilization, stableWindowSeconds,
                panicWindowPercentage, panicThresholdPercentage, tbc, maxScaleUpRate, maxScaleDownRate,
                scaleDownDelaySeconds, scaleToZeroGraceSeconds, scaleToZeroRetentionSeconds, tickSeconds, minScale,
                maxScale, initialScale, activationScale);
    }
}
