package io.quiver.models.diffusion;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.quiver.gpu.Placement;
import io.quiver.models.ModelLoadException;
import io.quiver.models.OnnxLoader;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** {@code text_encoder/model.onnx}: token ids (int32 or int64, as the graph declares) → {@code last_hidden_state}. */
final class TextEncoder implements AutoCloseable {
    private final Path file;
    private final OrtSession session;
    private final String input;
    private final OnnxJavaType idType;
    private final String output;

    TextEncoder(Path file, Placement placement) {
        this.file = file;
        this.session = OnnxLoader.openSession(file, placement, false);
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            input = inputs.containsKey("input_ids") ? "input_ids" : inputs.keySet().iterator().next();
            idType = ((TensorInfo) inputs.get(input).getInfo()).type;
            if (idType != OnnxJavaType.INT32 && idType != OnnxJavaType.INT64) {
                throw new ModelLoadException(file, "input_ids must be int32 or int64, the graph declares " + idType);
            }
            Set<String> outputs = session.getOutputNames();
            output = outputs.contains("last_hidden_state") ? "last_hidden_state" : outputs.iterator().next();
        } catch (OrtException | RuntimeException e) {
            close();
            throw e instanceof ModelLoadException m ? m : new ModelLoadException(file, e.getMessage(), e);
        }
    }

    /** Hidden states [rows, sequence, hidden] for rows of equal-length ids, flattened. */
    float[] encode(long[][] ids) {
        int rows = ids.length;
        int length = ids[0].length;
        long[] shape = {rows, length};
        OrtEnvironment env = OnnxLoader.environment();
        try (OnnxTensor tensor = idTensor(env, ids, shape);
                OrtSession.Result result = session.run(Map.of(input, tensor), Set.of(output))) {
            return FloatTensors.read(result.get(0));
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": text encoder failed: " + e.getMessage(), e);
        }
    }

    private OnnxTensor idTensor(OrtEnvironment env, long[][] ids, long[] shape) throws OrtException {
        int length = ids[0].length;
        if (idType == OnnxJavaType.INT64) {
            long[] flat = new long[ids.length * length];
            for (int r = 0; r < ids.length; r++) {
                System.arraycopy(ids[r], 0, flat, r * length, length);
            }
            return OnnxTensor.createTensor(env, LongBuffer.wrap(flat), shape);
        }
        int[] flat = new int[ids.length * length];
        for (int r = 0; r < ids.length; r++) {
            for (int i = 0; i < length; i++) {
                flat[r * length + i] = Math.toIntExact(ids[r][i]);
            }
        }
        return OnnxTensor.createTensor(env, IntBuffer.wrap(flat), shape);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
