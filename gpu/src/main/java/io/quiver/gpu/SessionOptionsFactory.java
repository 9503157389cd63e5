package io.quiver.gpu;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.util.Map;

/** Builds ONNX Runtime session options for a placement; every engine opens its sessions with these. */
public final class SessionOptionsFactory {
    private static volatile boolean spinWait;

    private SessionOptionsFactory() {
    }

    /** Process-wide, before sessions open: whether idle CPU intra-op threads busy-wait (see below). */
    public static void spinWait(boolean spin) {
        spinWait = spin;
    }

    /**
     * @param placement CPU or a CUDA device with its memory limit
     * @param convolutional true for UNet/VAE graphs, where cuDNN algorithm search matters
     * @throws OrtException on a GPU placement when this build or machine cannot run the CUDA provider; the message
     *         says what to install or build
     */
    public static SessionOptions create(Placement placement, boolean convolutional) throws OrtException {
        SessionOptions options = new SessionOptions();
        options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        if (placement.onGpu()) {
            try {
                addCuda(options, placement, convolutional);
            } catch (OrtException | RuntimeException e) {
                options.close();
                throw e;
            }
        } else {
            // Idle intra-op threads busy-wait for the next parallel section unless told not to. Spinning shortens
            // each of a decoder's hundreds of small parallel sections; sleeping leaves the cores to HTTP,
            // tokenising and the pod's other models (quiver.cpu.spin-wait, off by default).
            options.addConfigEntry("session.intra_op.allow_spinning", spinWait ? "1" : "0");
            if (convolutional) {
                // A UNet's activations grow with the image; the arena would keep the largest run's for good.
                options.setCPUArenaAllocator(false);
            }
        }
        return options;
    }

    private static void addCuda(SessionOptions options, Placement placement, boolean convolutional)
            throws OrtException {
        CudaProviderOptions.requireAvailable();
        // The session copies the provider options when it appends the provider, so they can be closed here.
        try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(placement.cudaDevice())) {
            for (Map.Entry<String, String> option
                    : CudaProviderOptions.forPlacement(placement, convolutional).entrySet()) {
                cuda.add(option.getKey(), option.getValue());
            }
            options.addCUDA(cuda);
        } catch (OrtException e) {
            // onnxruntime_gpu lists CUDA even when libcudart or cuDNN are missing; this is where that shows.
            throw new OrtException("Cannot start the CUDA execution provider on " + placement + ": "
                    + e.getMessage() + "; " + CudaProviderOptions.BUILD_HINT);
        }
    }
}
