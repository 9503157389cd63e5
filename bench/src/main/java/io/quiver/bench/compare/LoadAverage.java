package io.quiver.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's 1, 5 and 15 minute load averages, recorded with a run: a shared machine's numbers say so. */
final class LoadAverage {
    private LoadAverage() {
    }

    static String read() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2] + " (" + Runtime.getRuntime().availableProcessors()
                    + " cpus)";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
