package io.quiver.gpu;

/**
 * GPU accounting for the metrics: busy time turned into GPU-seconds weighted by this process's share of the card
 * (budget / card memory), which is what a shared GPU is billed by; and the memory in use on the device. The busy
 * time itself is measured where requests run (the runtime's admission), so overlapping requests count once.
 */
public final class GpuUsage {
    private final DeviceChoice choice;
    private final GpuProbe probe;

    public GpuUsage(DeviceChoice choice, GpuProbe probe) {
        this.choice = choice;
        this.probe = probe;
    }

    /** Busy seconds × share of the card; 0 on the CPU, where nothing is billed by the GPU. */
    public double gpuSeconds(double busySeconds) {
        return busySeconds * share();
    }

    /** budget / card memory, at most 1; 0 on the CPU. */
    public double share() {
        return choice.budget().map(MemoryBudget::share).orElse(0.0);
    }

    /** Device memory in use (total − free from cudaMemGetInfo); 0 on the CPU or when the driver does not answer. */
    public long usedBytes() {
        if (!choice.onGpu()) {
            return 0;
        }
        return probe.memory(choice.placement().cudaDevice()).map(GpuProbe.Memory::usedBytes).orElse(0L);
    }
}
