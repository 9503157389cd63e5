package io.quiver.bench.kpa;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.bench.results.ResultsStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench kpa}: replays traces through a KPA simulation fed with Quiver's measured capacity and startup. */
@Command(name = "kpa", mixinStandardHelpOptions = true,
        description = "Knative KPA simulation: pods over time, queue wait, pod-seconds vs always-on")
public final class KpaCommand implements Callable<Integer> {

    @Option(names = "--trace", split = ",", defaultValue = "steady,diurnal,burst")
    List<String> traces;

    @Option(names = "--container-concurrency", defaultValue = "8", description = "Knative containerConcurrency")
    int containerConcurrency;

    @Option(names = "--target", defaultValue = "0", description = "autoscaling.knative.dev/target; 0: the cap")
    double target;

    @Option(names = "--target-utilization", defaultValue = "0.7")
    double targetUtilization;

    @Option(names = "--window", defaultValue = "60", description = "Stable window, seconds")
    double window;

    @Option(names = "--panic-window-percentage", defaultValue = "10")
    double panicWindowPercentage;

    @Option(names = "--panic-threshold-percentage", defaultValue = "200")
    double panicThresholdPercentage;

    @Option(names = "--scale-down-delay", defaultValue = "0", description = "Seconds")
    double scaleDownDelay;

    @Option(names = "--scale-to-zero-retention", defaultValue = "0", description = "Last pod's retention, seconds")
    double retention;

    @Option(names = "--min-scale", defaultValue = "0")
    int minScale;

    @Option(names = "--max-scale", defaultValue = "0")
    int maxScale;

    @Option(names = "--initial-scale", defaultValue = "0", description = "Pods at t = 0 (a revision just made)")
    int initialScale;

    @Option(names = "--activation-scale", defaultValue = "1")
    int activationScale;

    @Option(names = "--no-knative",
            description = "Skip the tick-by-tick comparison with Knative's own decider (bench/kpa-go; needs Go)")
    boolean noKnative;

    @Option(names = "--sweep", description = "Search the annotations on the diurnal and burst traces instead")
    boolean sweep;

    @Option(names = "--load-result", description = "A `bench load` JSON: per-pod latency by concurrency")
    Path loadResult;

    @Option(names = "--startup-result", description = "A `bench startup` JSON: cold start = median process → ready")
    Path startupResult;

    @Option(names = "--service-seconds", defaultValue = "1.0", description = "Per request, without --load-result")
    double serviceSeconds;

    @Option(names = "--cold-start", description = "Seconds; overrides --startup-result")
    Double coldStart;

    @Option(names = "--scheduling-delay", defaultValue = "0", description = "Added to cold start (image pull, scheduling)")
    double schedulingDelay;

    @Option(names = "--steady-rate", defaultValue = "0", description = "req/s; 0: 60 % of 4 pods' capacity")
    double steadyRate;

    @Option(names = "--steady-seconds", defaultValue = "600")
    double steadySeconds;

    @Option(names = "--diurnal-seconds", defaultValue = "3600", description = "A day compressed into this")
    double diurnalSeconds;

    @Option(names = "--burst-clients", defaultValue = "50")
    int burstClients;

    @Option(names = "--burst-seconds", defaultValue = "100")
    double burstSeconds;

    @Option(names = "--seed", defaultValue = "7")
    long seed;

    @Option(names = "--results", defaultValue = ResultsStore.DEFAULT_ROOT)
    Path results;

    @Override
    public Integer call() throws IOException {
        KpaSettings settings = KpaSettings.defaults(containerConcurrency).withTarget(target, targetUtilization)
                .withWindows(window, panicWindowPercentage, panicThresholdPercentage)
                .withScaleBounds(minScale, maxScale).withDelays(scaleDownDelay, retention, initialScale, activationScale);
        PodCapacity capacity = capacity();
        double perPod = capacity.throughput(containerConcurrency);
        System.out.printf("per pod: %.2f req/s at concurrency %d; cold start %.2f s%n", perPod, containerConcurrency,
                capacity.coldStartSeconds());
        ResultsStore store = new ResultsStore(results);
        if (sweep) {
            new KpaSweep(settings, capacity, seed, trace("diurnal", perPod), trace("burst", perPod)).run(store);
            return 0;
        }
        KnativeDecider go = noKnative ? null : KnativeDecider.build();
        for (String name : traces) {
            SimulationResult r = new KpaSimulator(settings, capacity, seed).run(trace(name, perPod));
            if (go != null) {
                KnativeComparison c = go.compare(r);
                r = r.withKnative(c);
                System.out.printf("%-8s vs Knative's decider: %d ticks, %d equal, %d differ (max %d pods, stable window"
                                + " average within %.2g, panic within %.2g); applied counts differ at %s%n",
                        r.trace(), c.ticks(), c.deciderEqual(), c.deciderDiffering(), c.maxDeciderDifference(),
                        c.maxStableDifference(), c.maxPanicDifference(),
                        c.appliedDiffering().isEmpty() ? "no tick" : c.appliedDiffering());
            }
            System.out.printf("%-8s %6d req  peak %3d pods  wait p50 %8.1f ms p99 %8.1f ms  pod-s %8.0f vs always-on"
                            + " %8.0f (%.0f %%)  cold starts %d  panic %.0f s  -> %s%n",
                    r.trace(), r.requests(), r.peakPods(), r.queueWait().p50(), r.queueWait().p99(), r.podSeconds(),
                    r.alwaysOnPodSeconds(), 100 * r.costRatio(), r.coldStarts(), r.panicSeconds(),
                    store.write("kpa-" + r.trace(), r));
        }
        return 0;
    }

    private Trace trace(String name, double perPod) {
        // the traces' load is sized from Knative's default 70 % so that settings under study do not change it
        return switch (name) {
            case "steady" -> Trace.steady(steadyRate > 0 ? steadyRate : 0.6 * 4 * perPod, steadySeconds);
            case "diurnal" -> Trace.diurnal(10 * perPod * 0.7, diurnalSeconds);
            case "burst" -> Trace.burst(burstClients, 10, burstSeconds, 150);
            default -> throw new IllegalArgumentException("unknown trace " + name);
        };
    }

    private PodCapacity capacity() throws IOException {
        double cold = coldStart != null ? coldStart : startupResult != null ? measuredColdStart() : 2.0;
        cold += schedulingDelay;
        if (loadResult == null) {
            return PodCapacity.constant(serviceSeconds, cold);
        }
        JsonNode levels = ResultsStore.JSON.readTree(loadResult.toFile()).path("levels");
        int[] c = new int[levels.size()];
        double[] s = new double[levels.size()];
        for (int i = 0; i < levels.size(); i++) {
            c[i] = levels.get(i).path("concurrency").asInt();
            s[i] = levels.get(i).path("e2e").path("p50").asDouble() / 1e3;
        }
        return new PodCapacity(c, s, cold);
    }

    private double measuredColdStart() throws IOException {
        JsonNode summary = ResultsStore.JSON.readTree(startupResult.toFile()).path("summary").path("ready");
        return summary.path("median").asDouble() / 1e3;
    }
}
