package io.quiver.models.diffusion;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * The UNet's {@code timestep} input, shaped the way the graph declares it. Optimum exports a float (rank 0 or a
 * 1-D tensor), older diffusers exports int64[batch]; a 1-D input whose only dimension is fixed at 1 gets one value,
 * any other 1-D input one value per batch row. Integer inputs get the timestep rounded half to even.
 */
final class TimestepFeed {
    private TimestepFeed() {
    }

    static OnnxTensor create(OrtEnvironment env, OnnxJavaType type, long[] declaredShape, double timestep, int batch)
            throws OrtException {
        long[] shape;
        int count;
        if (declaredShape.length == 0) {
            shape = new long[0];
            count = 1;
        } else if (declaredShape.length == 1) {
            count = declaredShape[0] == 1 ? 1 : batch;
            shape = new long[] {count};
        } else {
            throw new OrtException("timestep input of rank " + declaredShape.length + " is not supported");
        }
        return switch (type) {
            case FLOAT -> {
                float[] values = new float[count];
                java.util.Arrays.fill(values, (float) timestep);
                yield OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
            }
            case DOUBLE -> {
                double[] values = new double[count];
                java.util.Arrays.fill(values, timestep);
                yield OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(values), shape);
            }
            case FLOAT16 -> {
                short[] values = new short[count];
                java.util.Arrays.fill(values, Fp16Conversions.floatToFp16((float) timestep));
                yield OnnxTensor.createTensor(env, ShortBuffer.wrap(values), shape, OnnxJavaType.FLOAT16);
            }
            case INT64 -> {
                long[] values = new long[count];
                java.util.Arrays.fill(values, (long) Math.rint(timestep));
                yield OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
            }
            case INT32 -> {
                int[] values = new int[count];
                java.util.Arrays.fill(values, (int) Math.rint(timestep));
                yield OnnxTensor.createTensor(env, java.nio.IntBuffer.wrap(values), shape);
            }
            default -> throw new OrtException("timestep input of type " + type + " is not supported");
        };
    }
}
