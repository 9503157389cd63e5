package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A write that blocks because the reader takes nothing is aborted after the stall timeout; a slow reader is not. */
class StallGuardTest {
    @Test
    void aWriteBlockedPastTheStallTimeoutIsAborted() throws Exception {
        PipedInputStream client = new PipedInputStream(1024);
        PipedOutputStream server = new PipedOutputStream(client);
        AtomicInteger aborts = new AtomicInteger();
        try (StallGuard guard = new StallGuard(Duration.ofMillis(200), () -> {
            aborts.incrementAndGet();
            try {
                client.close(); // what resetting the connection does to a blocked write
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            guard.write(server, new byte[512]);
            assertThrows(IOException.class, () -> guard.write(server, new byte[4096]),
                    "the client reads nothing: the write can only end by the abort");
        }
        assertEquals(1, aborts.get());
    }

    @Test
    void aReaderThatKeepsReadingIsNeverAborted() throws Exception {
        PipedInputStream client = new PipedInputStream(1024);
        PipedOutputStream server = new PipedOutputStream(client);
        Thread reader = Thread.ofVirtual().start(() -> {
            byte[] chunk = new byte[256];
            try {
                while (client.read(chunk) >= 0) {
                    Thread.sleep(5); // slow, but never stalled
                }
            } catch (IOException | InterruptedException done) {
                // the pipe closed
            }
        });
        AtomicInteger aborts = new AtomicInteger();
        try (StallGuard guard = new StallGuard(Duration.ofSeconds(2), aborts::incrementAndGet)) {
            for (int i = 0; i < 40; i++) {
                guard.write(server, new byte[512]);
            }
        }
        server.close();
        reader.join(10_000);
        assertEquals(0, aborts.get());
    }
}
