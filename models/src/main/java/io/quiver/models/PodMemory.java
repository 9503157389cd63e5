package io.quiver.models;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The memory this process may use: the container's limit (cgroup v2, then v1), else the machine's memory. */
public final class PodMemory {
    private PodMemory() {
    }

    public static long bytes() {
        for (String file : new String[] {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
            try {
                String value = Files.readString(Path.of(file)).trim();
                if (!value.equals("max") && !value.isEmpty()) {
                    long limit = Long.parseLong(value);
                    if (limit > 0 && limit < Long.MAX_VALUE / 2) {
                        return limit;
                    }
                }
            } catch (IOException | NumberFormatException | SecurityException e) {
                // Not in a cgroup with a limit: fall through to the machine's memory.
            }
        }
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }
}
