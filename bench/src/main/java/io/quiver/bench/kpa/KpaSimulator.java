package io.quiver.bench.kpa;

import io.quiver.bench.results.LatencyHistogram;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Replays a trace against simulated pods under the {@link KpaDecider}, in fixed time steps. Requests wait in one
 * FIFO (the activator and queue-proxies together) for a free slot on a ready pod; each pod runs at most
 * containerConcurrency requests. Observed concurrency (running + waiting, time-weighted) is bucketed per second,
 * as the autoscaler's metric collector does, and averaged over the stable and panic windows at every tick.
 * A request arriving when no pod exists pokes the autoscaler, as the activator does. A desired count of zero is
 * only applied after it has held for the scale-to-zero grace period or the last-pod retention, the longer (the KPA
 * reconciler's part); min/max scale bound it; the revision starts with the initial scale's pods.
 */
public final class KpaSimulator {
    private static final double DT = 0.05;

    private final KpaSettings settings;
    private final PodCapacity capacity;
    private final long seed;

    public KpaSimulator(KpaSettings settings, PodCapacity capacity, long seed) {
        this.settings = settings;
        this.capacity = capacity;
        this.seed = seed;
    }

    public SimulationResult run(Trace trace) {
        Random random = new Random(seed);
        KpaDecider decider = new KpaDecider(settings);
        List<Pod> pods = new ArrayList<>();
        ArrayDeque<double[]> queue = new ArrayDeque<>(); // {arrival, closedLoop 0/1}
        LatencyHistogram waits = new LatencyHistogram();
        LatencyHistogram latency = new LatencyHistogram();
        List<double[]> series = new ArrayList<>();
        List<double[]> ticks = new ArrayList<>();
        double[] buckets = new double[(int) Math.ceil(trace.durationSeconds()) + 2];
        ConcurrencyWindow stableWindow = new ConcurrencyWindow(settings.stableWindowSeconds());
        ConcurrencyWindow panicWindow = new ConcurrencyWindow(settings.panicWindowSeconds());
        int recorded = 0; // seconds handed to the windows: each once complete, as the collector records a scrape
        int cap = settings.containerConcurrency();
        long requests = 0;
        long completed = 0;
        int closedOutstanding = 0;
        int coldStarts = 0;
        int peak = 0;
        int desired = 0;
        double zeroSince = Double.NaN;
        double podSeconds = 0;
        double panicSeconds = 0;
        double nextTick = 0;
        boolean panicking = false;
        List<double[]> runningClosed = new ArrayList<>(); // {end, closed}, to know which completions were closed-loop
        int steps = (int) Math.round(trace.durationSeconds() / DT);
        for (int i = 0; i < settings.initialScale(); i++) {
            pods.add(new Pod(0, capacity.coldStartSeconds()));
            coldStarts++;
        }

        for (int step = 0; step < steps; step++) {
            double now = step * DT;
            // 1. completions
            for (Pod pod : pods) {
                pod.finish(now);
            }
            for (int i = runningClosed.size() - 1; i >= 0; i--) {
                if (runningClosed.get(i)[0] <= now) {
                    completed++;
                    if (runningClosed.get(i)[1] > 0) {
                        closedOutstanding--;
                    }
                    runningClosed.remove(i);
                }
            }
            pods.removeIf(Pod::gone);
            // 2. arrivals: Poisson for the open part; top up closed-loop clients to their number
            int arrivals = poisson(random, trace.rate(now) * DT);
            for (int a = 0; a < arrivals; a++) {
                queue.add(new double[] {now, 0});
            }
            int clients = trace.clients(now);
            while (closedOutstanding < clients) {
                queue.add(new double[] {now, 1});
                closedOutstanding++;
                arrivals++;
            }
            requests += arrivals;
            // 3. the activator pokes the autoscaler when requests wait and no pod exists
            if (!queue.isEmpty() && active(pods) == 0) {
                int n = Math.max(1, settings.activationScale());
                for (int i = 0; i < n; i++) {
                    pods.add(new Pod(now, capacity.coldStartSeconds()));
                    coldStarts++;
                }
                desired = Math.max(desired, n);
                zeroSince = Double.NaN;
            }
            // 4. dispatch FIFO to the least-loaded ready pod with a free slot
            while (!queue.isEmpty()) {
                Pod target = pods.stream().filter(p -> p.accepts(now, cap))
                        .min(Comparator.comparingInt(p -> p.running.size())).orElse(null);
                if (target == null) {
                    break;
                }
                double[] request = queue.poll();
                double service = capacity.serviceSeconds(target.running.size() + 1);
                double end = now + service;
                target.running.add(end);
                runningClosed.add(new double[] {end, request[1]});
                waits.recordNanos((long) ((now - request[0]) * 1e9));
                latency.recordNanos((long) ((end - request[0]) * 1e9));
            }
            // 5. metrics: time-weighted concurrency per one-second bucket
            int inFlight = 0;
            for (Pod pod : pods) {
                inFlight += pod.running.size();
            }
            int second = (int) now;
            buckets[second] += (inFlight + queue.size()) * DT;
            podSeconds += pods.size() * DT;
            if (panicking) {
                panicSeconds += DT;
            }
            // 6. the autoscaler's tick
            if (now >= nextTick) {
                nextTick += settings.tickSeconds();
                int ready = (int) pods.stream().filter(p -> p.ready(now) && !p.draining).count();
                for (; recorded < (int) now; recorded++) {
                    stableWindow.record(buckets[recorded]);
                    panicWindow.record(buckets[recorded]);
                }
                double stable = stableWindow.average();
                double panic = panicWindow.average();
                KpaDecider.Decision d = decider.decide(now, stable, panic, ready);
                panicking = d.panicking();
                desired = d.desiredPods();
                if (desired == 0) {
                    zeroSince = Double.isNaN(zeroSince) ? now : zeroSince;
                    if (now - zeroSince < settings.lastPodSeconds()) {
                        desired = Math.min(1, active(pods));
                    }
                } else {
                    zeroSince = Double.NaN;
                }
                coldStarts += scaleTo(pods, desired, now);
                ticks.add(new double[] {Math.rint(now), ready, stable, panic, d.deciderPods(), desired});
            }
            peak = Math.max(peak, pods.size());
            if (Math.abs(now - Math.rint(now)) < DT / 2) {
                int ready = (int) pods.stream().filter(p -> p.ready(now) && !p.draining).count();
                series.add(new double[] {Math.rint(now), ready, pods.size(), desired, inFlight + queue.size(),
                        queue.size()});
            }
        }
        double duration = steps * DT;
        int seconds = (int) Math.round(duration);
        return new SimulationResult("kpa", trace.name(), settings, capacity, duration, requests, completed,
                waits.summary(), latency.summary(), peak, podSeconds, peak * duration, panicSeconds, coldStarts,
                series, java.util.Arrays.copyOf(buckets, seconds), ticks, null);
    }

    /** Starts or drains pods towards {@code desired}; returns the number started. */
    private int scaleTo(List<Pod> pods, int desired, double now) {
        int current = active(pods);
        int started = 0;
        for (; current < desired; current++, started++) {
            pods.add(new Pod(now, capacity.coldStartSeconds()));
        }
        // Scale down: pods still starting first, then the least busy ready ones (they finish what they run).
        List<Pod> candidates = pods.stream().filter(p -> !p.draining)
                .sorted(Comparator.<Pod>comparingInt(p -> p.ready(now) ? 1 : 0).thenComparingInt(p -> p.running.size()))
                .toList();
        for (int i = 0; current > desired && i < candidates.size(); i++, current--) {
            candidates.get(i).draining = true;
        }
        return started;
    }

    private static int active(List<Pod> pods) {
        return (int) pods.stream().filter(p -> !p.draining).count();
    }

    private static int poisson(Random random, double mean) {
        if (mean <= 0) {
            return 0;
        }
        double l = Math.exp(-mean);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k - 1;
    }
}
