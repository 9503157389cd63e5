package io.quiver.gpu;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * GPU accounting for the metrics: busy time per model, turned into GPU-seconds weighted by this process's share of
 * the card (budget / card memory), which is what a shared GPU is billed by; and the memory in use on the device.
 * Thread-safe: each engine's scheduler thread records its own executions.
 */
public final class GpuUsage {
    private final DeviceChoice choice;
    private final GpuProbe probe;
    private final LongSupplier nanoTime;
    private final Map<String, LongAdder> busyNanos = new ConcurrentHashMap<>();

    public GpuUsage(DeviceChoice choice, GpuProbe probe) {
        this(choice, probe, System::nanoTime);
    }

    GpuUsage(DeviceChoice choice, GpuProbe probe, LongSupplier nanoTime) {
        this.choice = choice;
        this.probe = probe;
        this.nanoTime = nanoTime;
    }

    /** Times one execution: {@code try (var busy = usage.busy("chat")) { session.run(...); }}. */
    public Busy busy(String model) {
        return new Busy(model, nanoTime.getAsLong());
    }

    public void record(String model, long nanos) {
        if (nanos > 0) {
            busyNanos.computeIfAbsent(model, m -> new LongAdder()).add(nanos);
        }
    }

    public double busySeconds(String model) {
        LongAdder nanos = busyNanos.get(model);
        return nanos == null ? 0 : nanos.sum() / 1e9;
    }

    /** Busy seconds × share of the card; 0 on the CPU, where nothing is billed by the GPU. */
    public double gpuSecondsTotal(String model) {
        return busySeconds(model) * share();
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

    /** An execution in progress; closing it books its time. */
    public final class Busy implements AutoCloseable {
        private final String model;
        private final long start;

        private Busy(String model, long start) {
            this.model = model;
            this.start = start;
        }

        @Override
        public void close() {
            record(model, nanoTime.getAsLong() - start);
        }
    }
}
