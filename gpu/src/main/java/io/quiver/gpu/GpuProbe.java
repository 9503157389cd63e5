package io.quiver.gpu;

import java.util.List;
import java.util.Optional;

/**
 * What the process can learn about its GPUs. An interface so the budget logic runs in tests on injected device
 * facts; {@link JCudaProbe} is the real one. Implementations never throw: a machine without a driver is a normal
 * answer, not an error.
 */
public interface GpuProbe {
    /** All visible devices with their memory, or none and why. */
    Discovery discover();

    /** Current memory of one device, empty when there is no driver or the call fails. */
    Optional<Memory> memory(int device);

    /** @param reason why there are no devices (e.g. {@code no CUDA driver}); empty when devices were found */
    record Discovery(List<GpuDevice> devices, String reason) {
        public Discovery {
            devices = List.copyOf(devices);
        }

        public static Discovery none(String reason) {
            return new Discovery(List.of(), reason);
        }

        public boolean found() {
            return !devices.isEmpty();
        }
    }

    record Memory(long freeBytes, long totalBytes) {
        public long usedBytes() {
            return Math.max(0, totalBytes - freeBytes);
        }
    }
}
