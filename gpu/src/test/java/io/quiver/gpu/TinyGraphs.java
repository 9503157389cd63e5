package io.quiver.gpu;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/** Runs the {@link TinyOnnx} graphs through {@link SessionOptionsFactory} on a placement. */
final class TinyGraphs {
    static final float[] ADD_EXPECTED = {1, 2, 3, 4, 5, 6};
    /** 3×3 window sums over 0..15 laid out 4×4. */
    static final float[] CONV_EXPECTED = {45, 54, 81, 90};
    static final long[] IMAGE_SHAPE = {1, 1, 4, 4};

    private TinyGraphs() {
    }

    static float[] runAdd(Placement placement) throws OrtException {
        return run(TinyOnnx.add(), placement, false, new float[] {0, 1, 2, 3, 4, 5}, new long[] {2, 3});
    }

    static float[] runConv(Placement placement) throws OrtException {
        return run(TinyOnnx.conv(), placement, true, image(), IMAGE_SHAPE);
    }

    /** The conv graph's input: 0..15 laid out 4×4. */
    static float[] image() {
        float[] image = new float[16];
        for (int i = 0; i < image.length; i++) {
            image[i] = i;
        }
        return image;
    }

    private static float[] run(byte[] graph, Placement placement, boolean convolutional, float[] x, long[] shape)
            throws OrtException {
        try (OrtSession session = open(graph, placement, convolutional)) {
            return run(session, x, shape);
        }
    }

    /** A session on the placement, as models/ opens them. */
    static OrtSession open(byte[] graph, Placement placement, boolean convolutional) throws OrtException {
        try (OrtSession.SessionOptions options = SessionOptionsFactory.create(placement, convolutional)) {
            return OrtEnvironment.getEnvironment().createSession(graph, options);
        }
    }

    static float[] run(OrtSession session, float[] x, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result result = session.run(Map.of("x", input))) {
            FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] out = new float[y.remaining()];
            y.get(out);
            return out;
        }
    }
}
