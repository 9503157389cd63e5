package io.quiver.runtime.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BusyClockTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void separateRequestsAddUp() {
        BusyClock clock = new BusyClock();
        clock.enter(0);
        clock.exit(3 * SECOND);
        clock.enter(10 * SECOND);
        clock.exit(11 * SECOND);
        assertEquals(4 * SECOND, clock.busyNanos(20 * SECOND));
    }

    @Test
    void overlappingRequestsCountOnce() {
        BusyClock clock = new BusyClock();
        clock.enter(0);
        clock.enter(1 * SECOND);
        clock.exit(2 * SECOND);
        clock.exit(4 * SECOND);
        assertEquals(4 * SECOND, clock.busyNanos(9 * SECOND));
    }

    @Test
    void aRunningRequestCountsUpToNow() {
        BusyClock clock = new BusyClock();
        clock.enter(2 * SECOND);
        assertEquals(3 * SECOND, clock.busyNanos(5 * SECOND));
    }
}
