package io.quiver.bench.kpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulator's decider against Knative's own (bench/kpa-go: knative.dev/serving's pkg/autoscaler/scaling,
 * from the Go module proxy), fed the same per-second concurrency and ready pods: the same count at every tick.
 * Needs Go; without it {@link KnativeDecider#build()} fails and says so.
 */
class KnativeDeciderTest {
    private static KnativeDecider knative;

    @BeforeAll
    static void build() throws IOException {
        knative = KnativeDecider.build();
    }

    private static KnativeComparison compare(KpaSettings settings, Trace trace) throws IOException {
        return compare(settings, PodCapacity.constant(0.5, 1.0), trace);
    }

    private static KnativeComparison compare(KpaSettings settings, PodCapacity pod, Trace trace) throws IOException {
        SimulationResult r = new KpaSimulator(settings, pod, 3).run(trace);
        KnativeComparison c = knative.compare(r);
        assertTrue(c.ticks() >= trace.durationSeconds() / 2 - 1, "ticks compared: " + c.ticks());
        assertEquals(c.ticks(), c.deciderEqual(), () -> "ticks where the two deciders differ: " + c.rows().stream()
                .filter(row -> row[1] != row[3]).map(row -> "t=" + row[0] + " ours " + row[1] + " Knative " + row[3])
                .toList());
        assertTrue(c.maxStableDifference() < 1e-3 && c.maxPanicDifference() < 1e-3,
                "window averages differ by " + c.maxStableDifference() + " / " + c.maxPanicDifference());
        return c;
    }

    @Test
    void defaultsOnABurstDecideAsKnativeAtEveryTick() throws IOException {
        KnativeComparison c = compare(KpaSettings.defaults(8), Trace.burst(30, 10, 40, 80));
        assertTrue(c.rows().stream().anyMatch(row -> row[3] >= 6), "the burst scaled out"); // ceil(30 / 5.6)
        // what the simulator applies differs only where the reconciler keeps the last pod before zero
        assertTrue(c.appliedDiffering().keySet().stream().allMatch(k -> k.startsWith("last pod kept")),
                c.appliedDiffering().toString());
    }

    @Test
    void tunedAnnotationsDecideAsKnativeAtEveryTick() throws IOException {
        // target 3 of 8 at 100 %, 20 s window, 30 s scale-down delay, activation scale 2: every path of the decider
        KpaSettings tuned = KpaSettings.defaults(8).withTarget(3, 1.0).withStableWindow(20)
                .withDelays(30, 0, 0, 2);
        KnativeComparison c = compare(tuned, Trace.burst(20, 10, 40, 80));
        assertTrue(c.rows().stream().anyMatch(row -> row[3] >= 7), "the burst scaled out"); // ceil(20 / 3)
    }

    @Test
    void aFlappingSteadyLoadOnAMeasuredPodDecidesAsKnativeAtEveryTick() throws IOException {
        // a pod that slows down past 2 in flight (the 2-core embeddings pod), a target of 1.4 and a 6 s window:
        // panics, scale-downs and cold starts all the time, every one decided as Knative decides it
        PodCapacity measured = new PodCapacity(new int[] {1, 2, 4, 8}, new double[] {0.029, 0.042, 0.154, 0.452}, 1.7);
        KpaSettings twitchy = KpaSettings.defaults(8).withTarget(2, 0.7).withStableWindow(6).withScaleBounds(0, 40);
        KnativeComparison c = compare(twitchy, measured, Trace.steady(42, 300));
        assertTrue(c.rows().stream().mapToDouble(row -> row[3]).distinct().count() > 3, "the count moved");
    }
}
