package io.quiver.bench.kpa;

import io.quiver.bench.results.Summary;
import java.util.List;

/**
 * What a trace did under the KPA.
 *
 * @param series one row per second: {@code [t, readyPods, allPods, desiredPods, concurrency, queued]}
 * @param podSeconds pods alive (starting, ready or draining) integrated over time
 * @param alwaysOnPodSeconds the same trace served by a fixed deployment of the KPA's peak pod count
 */
public record SimulationResult(String kind, String trace, KpaSettings settings, PodCapacity capacity,
                               double durationSeconds, long requests, long completed, Summary queueWait,
                               Summary latency, int peakPods, double podSeconds, double alwaysOnPodSeconds,
                               double panicSeconds, int coldStarts, List<double[]> series) {

    /** pod-seconds as a fraction of always-on. */
    public double costRatio() {
        return alwaysOnPodSeconds == 0 ? 0 : podSeconds / alwaysOnPodSeconds;
    }
}
