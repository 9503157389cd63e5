package io.quiver.runtime.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Retry-After's estimate on a clock the test sets: per model, growing through stalls, blind to idle time. */
class ServiceTimesTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    /** Ten completed requests of {@code nanos} each for {@code model}, ending at {@code end}. */
    private static long history(ServiceTimes times, String model, long nanos, long end) {
        long t = end - 10 * nanos;
        for (int i = 0; i < 10; i++) {
            ServiceTimes.Work w = times.runs(model, 1, t);
            t += nanos;
            times.finished(w, t);
        }
        return t;
    }

    @Test
    void eachModelIsJudgedByItsOwnServiceTimes() {
        ServiceTimes times = new ServiceTimes(2);
        long now = history(times, "embed", 20 * MS, 100 * S);
        now = history(times, "chat", 10 * S, now + 100 * S);
        assertEquals(0.02, times.meanSeconds("embed"), 1e-9);
        assertEquals(10.0, times.meanSeconds("chat"), 1e-9);
        ServiceTimes.Work a = times.runs("embed", 1, now);
        ServiceTimes.Work b = times.runs("embed", 1, now);
        assertEquals(1, times.secondsUntilFree(now + MS), "a pod full of 20 ms requests frees a slot at once");
        times.finished(a, now + 20 * MS);
        times.finished(b, now + 20 * MS);
        times.runs("chat", 1, now);
        times.runs("chat", 1, now);
        assertEquals(10, times.secondsUntilFree(now + MS), "a pod full of fresh 10 s requests: about 10 s");
    }

    @Test
    void theEstimateGrowsWhileNothingCompletes() {
        ServiceTimes times = new ServiceTimes(2);
        long start = history(times, "chat", S, 60 * S);
        times.runs("chat", 1, start);
        times.runs("chat", 1, start);
        assertEquals(1, times.secondsUntilFree(start + 100 * MS));
        assertEquals(5, times.secondsUntilFree(start + 5 * S), "past its usual time: as long again as it ran");
        assertEquals(30, times.secondsUntilFree(start + 30 * S));
        assertEquals(60, times.secondsUntilFree(start + 600 * S), "capped at a minute");
    }

    @Test
    void idleTimeChangesNothing() {
        ServiceTimes times = new ServiceTimes(1);
        long end = history(times, "chat", 500 * MS, 10 * S);
        long later = end + 3600 * S;
        times.runs("chat", 1, later);
        assertEquals(1, times.secondsUntilFree(later + 10 * MS), "an hour of idle does not make 0.5 s requests slow");
    }

    @Test
    void queuedWorkCountsOncePerSlotAndLeavesWithItsRequest() {
        ServiceTimes times = new ServiceTimes(2);
        long now = history(times, "chat", 2 * S, 100 * S);
        times.runs("chat", 2, now);
        ServiceTimes.Work four = times.waits("chat", 2, now);
        ServiceTimes.Work one = times.waits("chat", 1, now);
        // (2 slots × 2 s running + 3 slots × 2 s queued) / 2 slots
        assertEquals(5, times.secondsUntilFree(now));
        times.stopsWaiting(one);
        times.stopsWaiting(four);
        assertEquals(2, times.secondsUntilFree(now), "a request that left the queue is no longer ahead of anyone");
    }
}
