package io.quiver.runtime.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.metrics.QuiverMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The limiter on its own: cap, bounded FIFO queue, timeouts, Retry-After, interruption, draining. */
class AdmissionTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private Admission admission(int max, int queue, Duration timeout, int status) {
        return new Admission(max, queue, timeout, status, Duration.ofSeconds(10), new QuiverMetrics(meters));
    }

    @Test
    void neverMoreThanTheCapRunAndTheQueueIsBounded() throws Exception {
        Admission admission = admission(2, 3, Duration.ofSeconds(10), 503);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        List<Future<?>> all = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                all.add(pool.submit(() -> {
                    try (Permit p = admission.admit("m")) {
                        peak.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        release.await();
                        inside.decrementAndGet();
                        ok.incrementAndGet();
                    } catch (ApiException e) {
                        assertEquals(503, e.status());
                        assertTrue(e.headers().containsKey("Retry-After"));
                        rejected.incrementAndGet();
                    }
                    return null;
                }));
            }
            try {
                // 2 run, 3 wait, 15 are turned away at once.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (rejected.get() < 15 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(15, rejected.get());
                assertEquals(2, admission.running());
                assertEquals(3, admission.waiting());
            } finally {
                // Also when an assertion failed: the holders must end, or closing the pool waits for ever.
                release.countDown();
            }
            for (Future<?> f : all) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        assertEquals(5, ok.get());
        assertEquals(2, peak.get());
        assertEquals(0, admission.running());
        assertEquals(0, admission.waiting());
        assertEquals(15.0, meters.get("quiver.requests.rejected").tag("reason", "queue_full").counter().count());
    }

    @Test
    void waitingPastTheTimeoutIsRefusedWith429WhenConfigured() {
        Admission admission = admission(1, 5, Duration.ofMillis(50), 429);
        try (Permit held = admission.admit("m")) {
            ApiException e = assertThrows(ApiException.class, () -> admission.admit("m"));
            assertEquals(429, e.status());
            assertEquals("queue_timeout", e.body().error().code());
            assertEquals("server_overloaded", e.body().error().type());
        }
        assertEquals(0, admission.waiting());
        admission.admit("m").close();
    }

    @Test
    void anInterruptedWaiterLeavesTheQueue() throws Exception {
        Admission admission = admission(1, 5, Duration.ofSeconds(30), 503);
        Permit held = admission.admit("m");
        Thread waiter = Thread.ofVirtual().start(() -> assertThrows(ClientGoneException.class,
                () -> admission.admit("m")));
        while (admission.waiting() == 0) {
            Thread.sleep(1);
        }
        waiter.interrupt();
        waiter.join(5000);
        assertEquals(0, admission.waiting());
        held.close();
        held.close(); // closing twice frees one slot only
        assertEquals(0, admission.running());
        try (Permit a = admission.admit("m")) {
            assertEquals(1, admission.running());
        }
    }

    @Test
    void drainingRefusesNewWork() {
        Admission admission = admission(4, 4, Duration.ofSeconds(1), 503);
        admission.startDraining();
        ApiException e = assertThrows(ApiException.class, () -> admission.admit("m"));
        assertEquals("draining", e.body().error().code());
    }

    private static int retryAfter(ApiException e) {
        return Integer.parseInt(e.headers().get("Retry-After"));
    }

    @Test
    void retryAfterGrowsWhileEverySlotIsHeldAndNothingCompletes() throws Exception {
        Admission admission = admission(1, 0, Duration.ofSeconds(1), 503);
        for (int i = 0; i < 20; i++) {
            try (Permit quick = admission.admit("m")) {
                Thread.sleep(20); // a history of fast requests: a high completion rate
            }
        }
        try (Permit stalled = admission.admit("m")) {
            Thread.sleep(2500);
            ApiException e = assertThrows(ApiException.class, () -> admission.admit("m"));
            assertEquals("queue_full", e.body().error().code());
            assertTrue(retryAfter(e) >= 2, "the slot has been held for 2.5 s: no sooner than that again, was "
                    + retryAfter(e));
        }
    }

    @Test
    void drainingSaysRetryElsewhereNow() throws Exception {
        Admission admission = admission(1, 0, Duration.ofSeconds(1), 503);
        for (int i = 0; i < 2; i++) {
            try (Permit slow = admission.admit("m")) {
                Thread.sleep(1500); // a history of slow requests
            }
        }
        admission.startDraining();
        ApiException e = assertThrows(ApiException.class, () -> admission.admit("m"));
        assertEquals("draining", e.body().error().code());
        assertEquals(1, retryAfter(e), "another replica can take it now");
    }

    @Test
    void aRequestTurnedAwayAtTheQueueTimeoutIsNotCountedAheadOfItself() throws Exception {
        Admission admission = admission(1, 1, Duration.ofMillis(200), 503);
        try (Permit learn = admission.admit("m")) {
            Thread.sleep(1000); // the model's requests take about a second
        }
        try (Permit held = admission.admit("m")) {
            ApiException e = assertThrows(ApiException.class, () -> admission.admit("m"));
            assertEquals("queue_timeout", e.body().error().code());
            // Under a second left of the running one, nothing queued ahead: 1 (itself counted, it would say 2).
            assertEquals(1, retryAfter(e));
        }
    }

    @Test
    void aRequestTakesOneSlotPerRow() throws Exception {
        Admission admission = admission(3, 2, Duration.ofSeconds(5), 503);
        try (Permit two = admission.admit("m", 2)) {
            assertEquals(1, admission.running());
            try (Permit one = admission.admit("m", 1)) {
                Thread waiter = Thread.ofVirtual().start(() -> admission.admit("m", 1).close());
                while (admission.waiting() == 0) {
                    Thread.sleep(1);
                }
                assertEquals(2, admission.running(), "three slots taken by two requests");
                one.close();
                waiter.join(5000);
            }
        }
        assertEquals(0, admission.running());
        assertThrows(IllegalArgumentException.class, () -> admission.admit("m", 4));
    }

    @Test
    void concurrencyAverageIsTimeWeighted() {
        long s = 1_000_000_000L;
        ConcurrencyAverage avg = new ConcurrencyAverage(10, 0);
        avg.change(4, 0);
        avg.change(-4, 5 * s); // 4 in flight for 5 s, then none
        assertEquals(2.0, avg.average(10 * s), 1e-9);
        assertEquals(0.0, avg.average(25 * s), 1e-9, "the window slid past the busy period");
        avg.change(1, 25 * s);
        assertEquals(0.5, avg.average(30 * s), 1e-9);
    }
}
