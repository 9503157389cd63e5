package io.quiver.gpu;

import java.util.Optional;

/**
 * Where this process runs its models and why: the {@link Placement} for ONNX Runtime, plus what was found
 * (the device and its memory) and the budget with its source, for the startup log and the metrics.
 *
 * @param device the chosen GPU; empty on the CPU
 * @param budget the memory budget on that GPU; empty on the CPU
 * @param reason on the CPU, why (e.g. {@code no CUDA driver}); empty on a GPU
 */
public record DeviceChoice(Placement placement, Optional<GpuDevice> device, Optional<MemoryBudget> budget,
                           String reason) {
    public static DeviceChoice cpu(String reason) {
        return new DeviceChoice(Placement.CPU, Optional.empty(), Optional.empty(), reason);
    }

    public static DeviceChoice gpu(GpuDevice device, MemoryBudget budget) {
        return new DeviceChoice(new Placement(device.index(), budget.bytes()), Optional.of(device),
                Optional.of(budget), "");
    }

    public boolean onGpu() {
        return placement.onGpu();
    }

    /** The budget in bytes, 0 on the CPU (the value of a budget gauge). */
    public long budgetBytes() {
        return budget.map(MemoryBudget::bytes).orElse(0L);
    }

    /** One line for the startup log, e.g. {@code cuda:0 NVIDIA A10, total ..., free ..., budget 3.3 GiB from ...}. */
    public String describe() {
        if (!onGpu()) {
            return "cpu (" + reason + ")";
        }
        return device.orElseThrow().describe() + ", budget " + budget.orElseThrow().describe();
    }
}
