package io.quiver.gpu;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CUDA execution provider's options for a placement, as the plain key/value map ONNX Runtime takes, so what
 * Quiver asks of the CUDA provider is testable on a machine without one.
 */
public final class CudaProviderOptions {
    static final String BUILD_HINT = "build Quiver with -Pgpu (onnxruntime_gpu) and install the CUDA 12 and "
            + "cuDNN 9 runtime libraries, or set quiver.device=cpu";

    private CudaProviderOptions() {
    }

    /**
     * @param placement a GPU placement
     * @param convolutional true for UNet/VAE graphs: cuDNN's exhaustive algorithm search costs seconds per new
     *        shape there, while its heuristic pick is within a few percent; other graphs keep ONNX Runtime's default
     */
    public static Map<String, String> forPlacement(Placement placement, boolean convolutional) {
        if (!placement.onGpu()) {
            throw new IllegalArgumentException("CUDA provider options for a CPU placement");
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("device_id", Integer.toString(placement.cudaDevice()));
        if (placement.memoryLimitBytes() > 0) {
            options.put("gpu_mem_limit", Long.toString(placement.memoryLimitBytes()));
        }
        // The default doubles the arena on each extension, which overshoots a tight shared-GPU budget.
        options.put("arena_extend_strategy", "kSameAsRequested");
        if (convolutional) {
            options.put("cudnn_conv_algo_search", "HEURISTIC");
        }
        return Collections.unmodifiableMap(options);
    }

    /**
     * @throws OrtException when this ONNX Runtime build has no CUDA execution provider
     */
    static void requireAvailable(EnumSet<OrtProvider> available) throws OrtException {
        if (!available.contains(OrtProvider.CUDA)) {
            throw new OrtException("This ONNX Runtime build has no CUDA execution provider "
                    + "(available: " + available + "); " + BUILD_HINT);
        }
    }

    static void requireAvailable() throws OrtException {
        requireAvailable(OrtEnvironment.getAvailableProviders());
    }
}
