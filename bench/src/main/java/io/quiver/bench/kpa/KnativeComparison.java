package io.quiver.bench.kpa;

import java.util.List;
import java.util.Map;

/**
 * The simulator's decisions against Knative's own decider (bench/kpa-go) on the same per-second concurrency and
 * the same ready pods, tick by tick.
 *
 * @param deciderEqual ticks where the simulator's decider asked for exactly Knative's count
 * @param maxDeciderDifference the largest |simulator − Knative| over the ticks, in pods
 * @param appliedDiffering ticks where the count the simulator applied (after min/max scale, scale-to-zero grace
 *                         and last-pod retention: the KPA reconciler's part, which the bare decider leaves out)
 *                         differs from Knative's decider, by reason
 * @param maxStableDifference the largest |simulator − Knative| of the stable window average (concurrency)
 * @param rows per tick: {@code [t, simulator decider, simulator applied, Knative decider]}
 */
public record KnativeComparison(int ticks, int deciderEqual, int maxDeciderDifference,
                                Map<String, Integer> appliedDiffering, double maxStableDifference,
                                double maxPanicDifference, List<double[]> rows) {

    public int deciderDiffering() {
        return ticks - deciderEqual;
    }
}
