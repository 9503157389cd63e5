package io.quiver.runtime.admission;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a Retry-After is based on: for each model, how long its recent requests held their slots (an exponentially
 * weighted mean over completions, each moving it a fifth of the way), and the work running and waiting now.
 * A running request is expected to need the rest of its model's usual time, and once it has run half of that, at
 * least as long again as it has run so far — so while nothing completes the estimate grows with the stall
 * instead of keeping an old, too-fast rate. A queued request is expected to need its model's usual time. The
 * wait for a slot is the work ahead (slot-seconds) spread over the pod's slots; idle time changes nothing.
 */
final class ServiceTimes {
    private static final double WEIGHT = 0.2;

    /** Requests running or waiting: each by identity, with its model, its slots and since when. */
    static final class Work {
        final String model;
        final int rows;
        final long since;

        Work(String model, int rows, long since) {
            this.model = model;
            this.rows = rows;
            this.since = since;
        }
    }

    private final int slots;
    private final Map<String, Double> meanSeconds = new HashMap<>();
    private final Set<Work> running = new LinkedHashSet<>();
    private final Set<Work> waiting = new LinkedHashSet<>();

    ServiceTimes(int slots) {
        this.slots = slots;
    }

    synchronized Work waits(String model, int rows, long now) {
        Work w = new Work(model, rows, now);
        waiting.add(w);
        return w;
    }

    synchronized void stopsWaiting(Work w) {
        waiting.remove(w);
    }

    synchronized Work runs(String model, int rows, long now) {
        Work w = new Work(model, rows, now);
        running.add(w);
        return w;
    }

    synchronized void finished(Work w, long now) {
        if (running.remove(w)) {
            double seconds = (now - w.since) / 1e9;
            meanSeconds.merge(w.model, seconds, (mean, s) -> mean + WEIGHT * (s - mean));
        }
    }

    /** The model's recent mean time in a slot, or 0 before its first request completed. */
    synchronized double meanSeconds(String model) {
        return meanSeconds.getOrDefault(model, 0.0);
    }

    /** Whole seconds until the work running and waiting now would have freed a slot, at least 1, at most 60. */
    synchronized int secondsUntilFree(long now) {
        double slotSeconds = 0;
        for (Work w : running) {
            double mean = meanSeconds.getOrDefault(w.model, 0.0);
            double elapsed = (now - w.since) / 1e9;
            slotSeconds += w.rows * Math.max(mean - elapsed, elapsed);
        }
        for (Work w : waiting) {
            slotSeconds += w.rows * meanSeconds.getOrDefault(w.model, 0.0);
        }
        return (int) Math.max(1, Math.min(60, Math.ceil(slotSeconds / slots)));
    }
}
