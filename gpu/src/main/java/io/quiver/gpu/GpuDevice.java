package io.quiver.gpu;

/**
 * One CUDA device as this process sees it.
 *
 * @param index the CUDA ordinal (after {@code CUDA_VISIBLE_DEVICES})
 * @param name the marketing name, e.g. {@code NVIDIA A10}
 * @param totalBytes total memory as {@code cudaMemGetInfo} reports it (virtualized under HAMi and cGPU)
 * @param freeBytes free memory when probed
 */
public record GpuDevice(int index, String name, long totalBytes, long freeBytes) {
    public String describe() {
        return "cuda:" + index + " " + name + ", total " + ByteSize.format(totalBytes)
                + ", free " + ByteSize.format(freeBytes);
    }
}
