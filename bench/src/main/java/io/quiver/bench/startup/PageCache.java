package io.quiver.bench.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's page cache emptied before a start, as a pod meets it on a node that never read the image or the
 * model: dirty pages written back ({@code sync}), then clean ones dropped ({@code /proc/sys/vm/drop_caches}). Needs
 * root on a kernel whose {@code /proc/sys} is writable; otherwise says so and what to run instead.
 */
final class PageCache {
    static final Path DROP = Path.of("/proc/sys/vm/drop_caches");

    private PageCache() {
    }

    static void drop() throws IOException, InterruptedException {
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        if (sync.waitFor() != 0) {
            throw new IOException("sync failed (exit " + sync.exitValue() + ")");
        }
        try {
            Files.writeString(DROP, "3");
        } catch (IOException e) {
            throw new IOException("cannot empty the page cache: writing 3 to " + DROP + " failed (" + e
                    + "); --drop-caches needs root and a writable /proc/sys (run without it for warm starts only)", e);
        }
    }
}
