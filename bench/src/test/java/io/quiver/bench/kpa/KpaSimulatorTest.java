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
    void windowAverageCountsTheSecondsSoFarThenTheWindowFlooredToSixDecimals() {
        ConcurrencyWindow stable = new ConcurrencyWindow(60);
        ConcurrencyWindow two = new ConcurrencyWindow(2);
        assertEquals(0, stable.average());
        for (double v : new double[] {2, 4, 6, 8}) {
            stable.record(v);
            two.record(v);
        }
        assertEquals(5, stable.average(), 1e-12); // seconds 0..3 of a 60 s window
        assertEquals(7, two.average(), 1e-12); // seconds 2..3
        ConcurrencyWindow one = new ConcurrencyWindow(0.6); // a 10 % panic window of 6 s: one bucket
        one.record(1.23456789);
        assertEquals(1.234567, one.average(), 0);
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
