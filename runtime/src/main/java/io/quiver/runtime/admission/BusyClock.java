package io.quiver.runtime.admission;

/**
 * Time during which at least one request of a model was executing: overlapping requests count once, which is
 * what a device is busy (and billed) for.
 */
final class BusyClock {
    private int running;
    private long since;
    private long busyNanos;

    synchronized void enter(long now) {
        if (running++ == 0) {
            since = now;
        }
    }

    synchronized void exit(long now) {
        if (--running == 0) {
            busyNanos += now - since;
        }
    }

    synchronized long busyNanos(long now) {
        return busyNanos + (running > 0 ? now - since : 0);
    }
}
