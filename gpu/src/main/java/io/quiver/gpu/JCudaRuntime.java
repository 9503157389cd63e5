package io.quiver.gpu;

import jcuda.runtime.JCuda;
import jcuda.runtime.cudaDeviceProp;
import jcuda.runtime.cudaError;

/**
 * {@link CudaRuntime} on JCuda's runtime API. JCuda's runtime library carries cudart statically, so without a
 * driver it loads and answers {@code cudaErrorInsufficientDriver}; any class here may still throw a
 * {@link LinkageError} where the native library cannot load at all, which {@link JCudaProbe} catches.
 */
final class JCudaRuntime implements CudaRuntime {
    @Override
    public int deviceCount(int[] count) {
        return JCuda.cudaGetDeviceCount(count);
    }

    @Override
    public int setDevice(int device) {
        return JCuda.cudaSetDevice(device);
    }

    @Override
    public int memGetInfo(long[] free, long[] total) {
        return JCuda.cudaMemGetInfo(free, total);
    }

    @Override
    public String deviceName(int device) {
        cudaDeviceProp properties = new cudaDeviceProp();
        return JCuda.cudaGetDeviceProperties(properties, device) == cudaError.cudaSuccess
                ? properties.getName() : null;
    }

    @Override
    public String errorName(int code) {
        return cudaError.stringFor(code);
    }
}
