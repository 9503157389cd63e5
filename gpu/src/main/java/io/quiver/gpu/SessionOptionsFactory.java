package io.quiver.gpu;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;

/** Builds ONNX Runtime session options for a placement; every engine opens its sessions with these. */
public final class SessionOptionsFactory {
    private SessionOptionsFactory() {
    }

    /**
     * @param placement CPU or a CUDA device with its memory limit
     * @param convolutional true for UNet/VAE graphs, where cuDNN algorithm search matters
     */
    public static SessionOptions create(Placement placement, boolean convolutional) throws OrtException {
        SessionOptions options = new SessionOptions();
        options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
        if (placement.onGpu()) {
            throw new OrtException("CUDA sessions are not available in this build");
        }
        return options;
    }
}
