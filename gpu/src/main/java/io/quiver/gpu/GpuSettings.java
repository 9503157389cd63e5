package io.quiver.gpu;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The GPU part of Quiver's configuration, already parsed. The runtime builds it from its {@code @ConfigMapping};
 * tests build it directly, so nothing here reads configuration or the environment.
 *
 * @param device {@code quiver.device}
 * @param memoryBudgetBytes {@code quiver.gpu.memory-budget}: an explicit budget, the first budget source
 * @param memoryUtilization {@code quiver.gpu.memory-utilization}: the fraction of the card to use; set, it is also
 *        a budget source (the whole card); unset, {@link #DEFAULT_UTILIZATION} applies to whatever source wins
 * @param memoryReserveBytes {@code quiver.gpu.memory-reserve}: kept back for allocations outside ONNX Runtime's
 *        arena (cuBLAS and cuDNN workspaces, the CUDA context under HAMi and cGPU)
 * @param onInsufficientMemory {@code quiver.gpu.on-insufficient-memory}
 */
public record GpuSettings(DeviceRequest device, OptionalLong memoryBudgetBytes, OptionalDouble memoryUtilization,
                          long memoryReserveBytes, InsufficientMemoryPolicy onInsufficientMemory) {
    /** Same headroom as vLLM's default: the arena fragments, and estimates are estimates. */
    public static final double DEFAULT_UTILIZATION = 0.90;
    public static final long DEFAULT_RESERVE_BYTES = 256L << 20;
    public static final GpuSettings DEFAULTS = new GpuSettings(DeviceRequest.AUTO, OptionalLong.empty(),
            OptionalDouble.empty(), DEFAULT_RESERVE_BYTES, InsufficientMemoryPolicy.FAIL);

    public GpuSettings {
        if (memoryUtilization.isPresent()
                && !(memoryUtilization.getAsDouble() > 0 && memoryUtilization.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("quiver.gpu.memory-utilization=" + memoryUtilization.getAsDouble()
                    + " must be a fraction in (0, 1]");
        }
        if (memoryBudgetBytes.isPresent() && memoryBudgetBytes.getAsLong() <= 0) {
            throw new IllegalArgumentException("quiver.gpu.memory-budget must be positive");
        }
        if (memoryReserveBytes < 0) {
            throw new IllegalArgumentException("quiver.gpu.memory-reserve must not be negative");
        }
    }

    /**
     * From raw configuration values; null means unset (the default).
     *
     * @param device {@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N}
     * @param memoryBudget e.g. {@code 8Gi}, {@code 8G}, {@code 8GiB}, {@code 8589934592}
     * @param memoryUtilization e.g. {@code 0.8}
     * @param memoryReserve e.g. {@code 256Mi}
     * @param onInsufficientMemory {@code fail} or {@code cpu}
     */
    public static GpuSettings parse(String device, String memoryBudget, Double memoryUtilization,
                                    String memoryReserve, String onInsufficientMemory) {
        return new GpuSettings(DeviceRequest.parse(device),
                blank(memoryBudget) ? OptionalLong.empty()
                        : OptionalLong.of(ByteSize.parse(memoryBudget, "quiver.gpu.memory-budget")),
                memoryUtilization == null ? OptionalDouble.empty() : OptionalDouble.of(memoryUtilization),
                blank(memoryReserve) ? DEFAULT_RESERVE_BYTES : ByteSize.parse(memoryReserve, "quiver.gpu.memory-reserve"),
                InsufficientMemoryPolicy.parse(onInsufficientMemory));
    }

    /** The factor applied to the source: the configured utilization, else the default headroom. */
    public double utilization() {
        return memoryUtilization.orElse(DEFAULT_UTILIZATION);
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
