package io.quiver.runtime.api.chat;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A platform thread that keeps one core busy until closed: the baseline of a latency ratio taken beside it shares
 * the CPU as the measured case does (beside a compile thread), so the ratio shows waiting, not CPU sharing.
 */
final class BusyCore implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread spinner;
    private volatile long sink;

    BusyCore() {
        spinner = Thread.ofPlatform().daemon().name("busy-core").start(() -> {
            long x = 0;
            while (!stop.get()) {
                x += System.nanoTime() & 7;
            }
            sink = x;
        });
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        spinner.join();
    }
}
