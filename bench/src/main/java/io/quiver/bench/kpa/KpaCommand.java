package io.quiver.bench.kpa;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.bench.results.ResultsStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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

    @Option(names = "--target-utilization", defaultValue = "0.7")
    double targetUtilization;

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
        KpaSettings settings = KpaSettings.defaults(containerConcurrency).withTargetUtilization(targetUtilization);
        PodCapacity capacity = capacity();
        double perPod = capacity.throughput(containerConcurrency);
        System.out.printf("per pod: %.2f req/s at concurrency %d; cold start %.2f s%n", perPod, containerConcurrency,
                capacity.coldStartSeconds());
        List<SimulationResult> all = new ArrayList<>();
        ResultsStore store = new ResultsStore(results);
        for (String name : traces) {
            Trace trace = switch (name) {
                case "steady" -> Trace.steady(steadyRate > 0 ? steadyRate : 0.6 * 4 * perPod, steadySeconds);
                case "diurnal" -> Trace.diurnal(10 * perPod * targetUtilization, diurnalSeconds);
                case "burst" -> Trace.burst(burstClients, 10, burstSeconds, 150);
                default -> throw new IllegalArgumentException("unknown trace " + name);
            };
            SimulationResult r = new KpaSimulator(settings, capacity, seed).run(trace);
            all.add(r);
            System.out.printf("%-8s %6d req  peak %3d pods  wait p50 %8.1f ms p99 %8.1f ms  pod-s %8.0f vs always-on"
                            + " %8.0f (%.0f %%)  cold starts %d  panic %.0f s  -> %s%n",
                    r.trace(), r.requests(), r.peakPods(), r.queueWait().p50(), r.queueWait().p99(), r.podSeconds(),
                    r.alwaysOnPodSeconds(), 100 * r.costRatio(), r.coldStarts(), r.panicSeconds(),
                    store.write("kpa-" + r.trace(), r));
        }
        return 0;
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
