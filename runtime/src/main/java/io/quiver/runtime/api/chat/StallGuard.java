package io.quiver.runtime.api.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends a stream whose client stopped reading: when one write has been blocked for longer than the stall timeout
 * (the socket buffers are full and the client takes nothing), {@code abort} runs, once. A virtual thread watches.
 */
final class StallGuard implements AutoCloseable {
    private final long stallNanos;
    private final Runnable abort;
    private final Thread watcher;
    /** When the write in progress began (never 0 then); 0 between writes. */
    private volatile long writingSince;
    private volatile boolean closed;

    StallGuard(Duration stall, Runnable abort) {
        this.stallNanos = stall.toNanos();
        this.abort = abort;
        this.watcher = Thread.ofVirtual().name("quiver-stall-guard").start(this::watch);
    }

    /** Writes and flushes {@code bytes} under the guard. */
    void write(OutputStream out, byte[] bytes) throws IOException {
        writingSince = System.nanoTime() | 1;
        try {
            out.write(bytes);
            out.flush();
        } finally {
            writingSince = 0;
        }
    }

    private void watch() {
        long step = Math.max(stallNanos / 4, 10_000_000L);
        while (!closed) {
            LockSupport.parkNanos(step);
            long since = writingSince;
            if (!closed && since != 0 && System.nanoTime() - since > stallNanos) {
                abort.run();
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watcher);
    }
}
