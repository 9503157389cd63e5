package io.quiver.gpu;

import java.util.Locale;

/**
 * The GPU memory this process may use: {@code min(source, free at start) × utilization − reserve}.
 *
 * @param bytes the budget, handed to ONNX Runtime as {@code gpu_mem_limit}
 * @param source where {@code sourceBytes} came from
 * @param detail the evidence, e.g. {@code CUDA_DEVICE_MEMORY_LIMIT_0=4g}
 * @param sourceBytes the limit the source allows
 * @param freeAtStartBytes free device memory when the budget was resolved
 * @param utilization the factor applied
 * @param reserveBytes the amount kept back
 * @param cardBytes the physical card's memory as best known (for the GPU-seconds share)
 */
public record MemoryBudget(long bytes, BudgetSource source, String detail, long sourceBytes, long freeAtStartBytes,
                           double utilization, long reserveBytes, long cardBytes) {
    /** The fraction of the card this process holds, for GPU-seconds accounting; at most 1. */
    public double share() {
        return cardBytes <= 0 ? 0 : Math.min(1.0, (double) bytes / cardBytes);
    }

    /** E.g. {@code 3.3 GiB = min(4.0 GiB, free 4.0 GiB) × 0.90 − 256.0 MiB, from HAMi CUDA_DEVICE_MEMORY_LIMIT_0=4g}. */
    public String describe() {
        return ByteSize.format(bytes) + " = min(" + ByteSize.format(sourceBytes) + ", free "
                + ByteSize.format(freeAtStartBytes) + ") × " + String.format(Locale.ROOT, "%.2f", utilization)
                + " − " + ByteSize.format(reserveBytes) + ", from " + source.label() + " " + detail;
    }
}
