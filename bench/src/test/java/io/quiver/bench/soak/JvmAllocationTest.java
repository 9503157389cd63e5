package io.quiver.bench.soak;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The exact allocation counter of another JVM, read over its local management agent, moves as it allocates. */
class JvmAllocationTest {

    /** A process that allocates about 1 MB every 10 ms until it is stopped. */
    public static final class Allocator {
        static volatile byte[] sink;

        public static void main(String[] args) throws InterruptedException {
            while (true) {
                sink = new byte[1 << 20];
                Thread.sleep(10);
            }
        }
    }

    @Test
    void readsWhatAnotherJvmAllocates() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Allocator.class.getName()).inheritIO().start();
        try (JvmAllocation allocation = JvmAllocation.attach(child.pid())) {
            assertNotNull(allocation, "attach to a local JVM of the same user");
            double first = allocation.megabytes();
            Thread.sleep(500);
            double second = allocation.megabytes();
            assertTrue(first > 0 && second - first >= 10, first + " MB, then " + second + " MB");
        } finally {
            child.destroy();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
