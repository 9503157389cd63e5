package io.quiver.gpu;

/**
 * Where a model's ONNX Runtime sessions run: the CPU, or one CUDA device with an arena limit in bytes.
 *
 * @param cudaDevice the CUDA device ordinal, or -1 for the CPU
 * @param memoryLimitBytes the CUDA arena limit handed to ONNX Runtime ({@code gpu_mem_limit}); 0 on the CPU
 */
public record Placement(int cudaDevice, long memoryLimitBytes) {
    public static final Placement CPU = new Placement(-1, 0);

    public boolean onGpu() {
        return cudaDevice >= 0;
    }

    @Override
    public String toString() {
        return onGpu() ? "cuda:" + cudaDevice : "cpu";
    }
}
