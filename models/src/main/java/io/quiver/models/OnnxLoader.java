package io.quiver.models;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.quiver.gpu.Placement;
import io.quiver.gpu.SessionOptionsFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one way models open ONNX graphs. Encoders go through DJL ({@link #loadDjl}); the chat decode loop and the
 * diffusion pipeline need the raw ONNX Runtime session ({@link #openSession}). Both get the same session options,
 * so a CUDA placement and its memory limit apply to every graph.
 */
public final class OnnxLoader {
    static {
        DjlOffline.ensure();
    }

    private OnnxLoader() {
    }

    /**
     * The process-wide ONNX Runtime environment. DJL creates it with its own thread-pool options and refuses to
     * start when one already exists, so DJL's engine must always be the one that creates it.
     */
    public static OrtEnvironment environment() {
        Engine.getEngine("OnnxRuntime");
        return OrtEnvironment.getEnvironment();
    }

    /** A raw session, from the optimised-graph cache where it has this graph ({@link GraphCache}). */
    public static OrtSession openSession(Path onnx, Placement placement, boolean convolutional) {
        try {
            OrtSession.SessionOptions options = SessionOptionsFactory.create(placement, convolutional);
            GraphCache.Opening opening = GraphCache.prepare(onnx, placement.toString(), convolutional, options);
            try {
                OrtSession session = environment().createSession(opening.graph().toString(), options);
                GraphCache.commit(opening);
                return session;
            } catch (OrtException e) {
                if (!opening.viaCache()) {
                    throw e;
                }
                // A cached graph this runtime refuses, or one it cannot write: the graph itself, as without a cache.
                GraphCache.abandon(opening);
                return environment().createSession(onnx.toString(),
                        SessionOptionsFactory.create(placement, convolutional));
            }
        } catch (OrtException e) {
            throw new ModelLoadException(onnx, "ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }

    public static Model loadDjl(Path onnx, Placement placement) {
        Device device = placement.onGpu() ? Device.gpu(placement.cudaDevice()) : Device.cpu();
        Model model = Model.newInstance(onnx.getFileName().toString(), device, "OnnxRuntime");
        try {
            OrtSession.SessionOptions options = SessionOptionsFactory.create(placement, false);
            String name = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
            model.load(onnx.getParent(), name, Map.of("sessionOptions", options));
            return model;
        } catch (OrtException | IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new ModelLoadException(onnx, "ONNX Runtime cannot load it: " + e.getMessage(), e);
        }
    }
}
