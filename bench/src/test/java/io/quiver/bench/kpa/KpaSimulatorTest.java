package io.quiver.bench.kpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KpaSimulatorTest {
    private final KpaSettings settings = KpaSettings.defaults(10);

    private static double[] at(List<double[]> series, double t) {
        return series.stream().filter(r -> r[0] == t).findFirst().orElseThrow();
    }

    @Test
    void windowAverageUsesCompleteSecondsOnly() {
        double[] buckets = {2, 4, 6, 8, 0, 0};
        assertEquals(5, KpaSimulator.average(buckets, 4.5, 60), 1e-9); // seconds 0..3
        assertEquals(7, KpaSimulator.average(buckets, 4.0, 2), 1e-9); // seconds 2..3
        assertEquals(0, KpaSimulator.average(buckets, 0.5, 6), 1e-9);
    }

    @Test
    void steadyClosedLoopSettlesAtDemandOverTarget() {
        // 14 clients always outstanding, 1 s per request: concurrency 14, target 7 → 2 pods, no queue once up
        Trace trace = new Trace.Simple("fourteen", 200) {
            @Override
            public int clients(double t) {
                return 14;
            }
        };
        SimulationResult r = new KpaSimulator(settings, PodCapacity.constant(1.0, 0), 1).run(trace);
        double[] late = at(r.series(), 190);
        assertEquals(2, late[2]);
        assertEquals(14, late[4], 0.01);
        assertEquals(0, late[5]);
        assertTrue(r.completed() > 14 * 180, "completed " + r.completed() + " of " + r.requests());
    }

    @Test
    void burstFromZeroPanicsScalesOutThenDrainsToZeroAfterWindowAndGrace() {
        // 50 clients for 100 s from t=10; target 7 → ceil(50/7) = 8 pods; idle after t=110
        Trace trace = Trace.burst(50, 10, 100, 150);
        SimulationResult r = new KpaSimulator(settings, PodCapacity.constant(0.5, 1.0), 1).run(trace);
        assertTrue(r.panicSeconds() > 0);
        assertTrue(r.peakPods() >= 8, "peak " + r.peakPods());
        assertTrue(at(r.series(), 100)[1] >= 8);
        // the stable average only reaches 0 a window after the burst; the grace period holds the last pod
        assertTrue(at(r.series(), 160)[2] >= 1);
        assertEquals(0, at(r.series(), 255)[2]);
        assertTrue(r.podSeconds() < r.alwaysOnPodSeconds());
        assertTrue(r.queueWait().p50() >= 0 && r.queueWait().max() >= 1000); // the first requests wait a cold start
    }

    @Test
    void podCapacityInterpolatesMeasuredLevels() {
        PodCapacity c = new PodCapacity(new int[] {1, 4, 8}, new double[] {0.1, 0.2, 0.4}, 1);
        assertEquals(0.1, c.serviceSeconds(1), 1e-9);
        assertEquals(0.1 + 0.1 / 3, c.serviceSeconds(2), 1e-9);
        assertEquals(0.3, c.serviceSeconds(6), 1e-9);
        assertEquals(0.8, c.serviceSeconds(16), 1e-9);
        assertEquals(20, c.throughput(8), 1e-9);
    }
}
