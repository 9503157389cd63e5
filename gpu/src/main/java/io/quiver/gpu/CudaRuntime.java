package io.quiver.gpu;

/**
 * The four CUDA runtime calls the probe makes, behind a seam so tests can play a missing native library.
 * Each returns the {@code cudaError_t} code; results come back through the arrays, as in JCuda.
 */
interface CudaRuntime {
    int deviceCount(int[] count);

    int setDevice(int device);

    int memGetInfo(long[] free, long[] total);

    /** The device name, or null when the call fails. */
    String deviceName(int device);

    /** Human name of an error code, e.g. {@code cudaErrorInsufficientDriver}. */
    String errorName(int code);
}
