package io.quiver.models.diffusion;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.FloatBuffer;

/** Float data in and out of graphs exported in float32 or float16 (computation on the Java side stays float32). */
final class FloatTensors {
    private FloatTensors() {
    }

    static OnnxTensor create(OrtEnvironment env, OnnxJavaType type, float[] data, long[] shape) throws OrtException {
        FloatBuffer buffer = FloatBuffer.wrap(data);
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, buffer, shape);
            case FLOAT16 -> OnnxTensor.createTensor(env, Fp16Conversions.convertFloatBufferToFp16Buffer(buffer), shape,
                    OnnxJavaType.FLOAT16);
            default -> throw new OrtException("float input expected, the graph declares " + type);
        };
    }

    static float[] read(OnnxValue value) throws OrtException {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new OrtException("expected a tensor output, got " + value.getType());
        }
        FloatBuffer buffer = tensor.getFloatBuffer();
        if (buffer == null) {
            throw new OrtException("expected a float output, got " + tensor.getInfo().type);
        }
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    static boolean isFloat(OnnxJavaType type) {
        return type == OnnxJavaType.FLOAT || type == OnnxJavaType.FLOAT16;
    }
}
