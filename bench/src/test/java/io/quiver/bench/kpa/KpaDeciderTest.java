package io.quiver.bench.kpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Hand-computed cases of the KPA rules as the Knative autoscaler docs state them: desired = ceil(average
 * concurrency / (containerConcurrency × target utilisation)); panic when the panic-window demand is ≥ 200 % of
 * the ready pods; no scale-down in panic, which ends a stable window after the last over-threshold tick; scale
 * rates bound a step; excess burst capacity = ready × cc − target burst capacity − panic concurrency.
 * containerConcurrency 10 at 70 % gives a target of 7 per pod throughout.
 */
class KpaDeciderTest {
    private final KpaSettings settings = KpaSettings.defaults(10);

    @Test
    void stableModeAsksForAverageOverTarget() {
        KpaDecider.Decision d = new KpaDecider(settings).decide(0, 35, 35, 5);
        assertEquals(5, d.desiredPods()); // ceil(35 / 7)
        assertFalse(d.panicking());
    }

    @Test
    void panicStartsAtTwiceTheReadyCapacityAndTakesTheLargerCount() {
        // panic demand ceil(21 / 7) = 3 ≥ 2 × 1 ready pod; stable demand ceil(10 / 7) = 2
        KpaDecider.Decision d = new KpaDecider(settings).decide(0, 10, 21, 1);
        assertTrue(d.panicking());
        assertEquals(3, d.desiredPods());
        // just under: ceil(13.9 / 7) = 2 = 2 × 1 → still panics (≥); ceil(7 / 7) = 1 → does not
        assertTrue(new KpaDecider(settings).decide(0, 1, 13.9, 1).panicking());
        assertFalse(new KpaDecider(settings).decide(0, 1, 7, 1).panicking());
    }

    @Test
    void noScaleDownWhilePanickingThenStableModeAfterAStableWindow() {
        KpaDecider kpa = new KpaDecider(settings);
        assertEquals(3, kpa.decide(0, 10, 21, 1).desiredPods());
        // load fell: panic demand 1/3 < 2, stable wants 2, but the panic peak of 3 holds
        KpaDecider.Decision held = kpa.decide(2, 10, 7, 3);
        assertTrue(held.panicking());
        assertEquals(3, held.desiredPods());
        assertEquals(3, kpa.decide(60, 10, 7, 3).desiredPods()); // 0 + 60 is not before 60
        KpaDecider.Decision calm = kpa.decide(61, 10, 7, 3);
        assertFalse(calm.panicking());
        assertEquals(2, calm.desiredPods());
    }

    @Test
    void panicIsExtendedByEachTickOverTheThreshold() {
        KpaDecider kpa = new KpaDecider(settings);
        kpa.decide(0, 10, 21, 1);
        kpa.decide(30, 10, 50, 3); // ceil(50/7) = 8 ≥ 2 × 3: panic extended to t=30, peak 8
        assertTrue(kpa.decide(80, 1, 1, 8).panicking());
        assertEquals(8, kpa.decide(80, 1, 1, 8).desiredPods());
        assertFalse(kpa.decide(91, 1, 1, 8).panicking());
    }

    @Test
    void scaleDownRateHalvesAtMostPerStep() {
        KpaDecider kpa = new KpaDecider(settings);
        assertEquals(5, kpa.decide(0, 0, 0, 10).desiredPods()); // floor(10 / 2)
        assertEquals(2, kpa.decide(2, 0, 0, 5).desiredPods());
        assertEquals(1, kpa.decide(4, 0, 0, 2).desiredPods());
        assertEquals(0, kpa.decide(6, 0, 0, 1).desiredPods()); // floor(1 / 2) = 0: scale to zero allowed
    }

    @Test
    void scaleUpRateBoundsAStep() {
        KpaDecider kpa = new KpaDecider(settings.withScaleRates(2, 2));
        // wants ceil(100 / 7) = 15, at most ceil(2 × 2) = 4
        assertEquals(4, kpa.decide(0, 100, 100, 2).desiredPods());
    }

    @Test
    void noReadyPodCountsAsOneAndScaleBoundsApply() {
        assertEquals(1, new KpaDecider(settings).decide(0, 3, 3, 0).desiredPods());
        KpaDecider bounded = new KpaDecider(settings.withScaleBounds(2, 4));
        assertEquals(2, bounded.decide(0, 0, 0, 2).desiredPods());
        assertEquals(4, bounded.decide(2, 70, 70, 10).desiredPods());
    }

    @Test
    void excessBurstCapacityDecidesWhetherTheActivatorStaysInThePath() {
        // default TBC 211: floor(3 × 10 − 211 − 15) = −196 < 0, the activator buffers
        assertEquals(-196, new KpaDecider(settings).decide(0, 15, 15, 3).excessBurstCapacity());
        KpaSettings tbc10 = KpaSettings.defaults(10).withBurstCapacity(10);
        assertEquals(5, new KpaDecider(tbc10).decide(0, 15, 15, 3).excessBurstCapacity());
    }

    @Test
    void settingsDeriveTargetAndPanicWindow() {
        assertEquals(7, settings.targetValue(), 1e-9);
        assertEquals(6, settings.panicWindowSeconds(), 1e-9);
    }
}
