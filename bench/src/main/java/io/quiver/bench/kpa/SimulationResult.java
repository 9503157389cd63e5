package io.quiver.bench.kpa;

import io.quiver.bench.results.Summary;
import java.util.List;

/**
 * What a trace did under the KPA.
 *
 * @param series one row per second: {@code [t, readyPods, allPods, desiredPods, concurrency, queued]}
 * @param podSeconds pods alive (starting, ready or draining) integrated over time
 * @param alwaysOnPodSeconds the same trace served by a fixed deployment of the KPA's peak pod count
 * @param concurrency the autoscaler's metric: average concurrency (running + queued) of each second
 * @param ticks one row per decision: {@code [t, readyPods, stable, panic, deciderPods, desiredPods]}
 *              (deciderPods: the decider's own answer; desiredPods: after min/max, grace and retention)
 * @param knative the same trace through Knative's own decider, tick by tick; null if not run
 */
public record SimulationResult(String kind, String trace, KpaSettings settings, PodCapacity capacity,
                               double durationSeconds, long requests, long completed, Summary queueWait,
                               Summary latency, int peakPods, double podSeconds, double alwaysOnPodSeconds,
                               double panicSeconds, int coldStarts, List<double[]> series, double[] concurrency,
                               List<double[]> ticks, KnativeComparison knative) {

    /** pod-seconds as a fraction of always-on. */
    public double costRatio() {
        return alwaysOnPodSeconds == 0 ? 0 : podSeconds / alwaysOnPodSeconds;
    }

    public SimulationResult withKnative(KnativeComparison comparison) {
        return new SimulationResult(kind, trace, settings, capacity, durationSeconds, requests, completed, queueWait,
                latency, peakPods, podSeconds, alwaysOnPodSeconds, panicSeconds, coldStarts, series, concurrency,
                ticks, comparison);
    }
}
