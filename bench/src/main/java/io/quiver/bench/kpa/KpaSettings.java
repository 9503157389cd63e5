package io.quiver.bench.kpa;

/**
 * The KPA's knobs, with Knative's defaults (config-autoscaler): stable window 60 s, panic window 10 % of it,
 * panic threshold 200 %, target utilisation 70 %, target burst capacity 211, max scale up 1000×, down 2×,
 * scale-to-zero grace 30 s, a decision every 2 s.
 *
 * @param containerConcurrency the hard cap per pod (Knative's containerConcurrency = quiver.concurrency.max)
 * @param targetUtilization fraction of the cap the autoscaler aims at
 */
public record KpaSettings(int containerConcurrency, double targetUtilization, double stableWindowSeconds,
                          double panicWindowPercentage, double panicThresholdPercentage,
                          double targetBurstCapacity, double maxScaleUpRate, double maxScaleDownRate,
                          double scaleToZeroGraceSeconds, double tickSeconds, int minScale, int maxScale,
                          int activationScale) {

    public static KpaSettings defaults(int containerConcurrency) {
        return new KpaSettings(containerConcurrency, 0.7, 60, 10, 200, 211, 1000, 2, 30, 2, 0, 0, 1);
    }

    /** What the autoscaler aims at per pod: cap × utilisation (Knative: TargetValue). */
    public double targetValue() {
        return Math.max(0.01, containerConcurrency * targetUtilization);
    }

    public double panicWindowSeconds() {
        return stableWindowSeconds * panicWindowPercentage / 100;
    }

    public KpaSettings withStableWindow(double seconds) {
        return new KpaSettings(containerConcurrency, targetUtilization, seconds, panicWindowPercentage,
                panicThresholdPercentage, targetBurstCapacity, maxScaleUpRate, maxScaleDownRate,
                scaleToZeroGraceSeconds, tickSeconds, minScale, maxScale, activationScale);
    }

    public KpaSettings withTargetUtilization(double utilization) {
        return new KpaSettings(containerConcurrency, utilization, stableWindowSeconds, panicWindowPercentage,
                panicThresholdPercentage, targetBurstCapacity, maxScaleUpRate, maxScaleDownRate,
                scaleToZeroGraceSeconds, tickSeconds, minScale, maxScale, activationScale);
    }

    public KpaSettings withScaleRates(double up, double down) {
        return new KpaSettings(containerConcurrency, targetUtilization, stableWindowSeconds, panicWindowPercentage,
                panicThresholdPercentage, targetBurstCapacity, up, down, scaleToZeroGraceSeconds, tickSeconds,
                minScale, maxScale, activationScale);
    }

    public KpaSettings withScaleBounds(int min, int max) {
        return new KpaSettings(containerConcurrency, targetUtilization, stableWindowSeconds, panicWindowPercentage,
                panicThresholdPercentage, targetBurstCapacity, maxScaleUpRate, maxScaleDownRate,
                scaleToZeroGraceSeconds, tickSeconds, min, max, activationScale);
    }
}
