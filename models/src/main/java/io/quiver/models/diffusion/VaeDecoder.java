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
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** {@code vae_decoder/model.onnx}: {@code latent_sample} [batch, 4, h, w] → {@code sample} [batch, 3, 8h, 8w]. */
final class VaeDecoder implements AutoCloseable {
    private final Path file;
    private final OrtSession session;
    private final String input;
    private final OnnxJavaType type;
    private final String output;

    VaeDecoder(Path file, Placement placement) {
        this.file = file;
        this.session = OnnxLoader.openSession(file, placement, true);
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            input = inputs.containsKey("latent_sample") ? "latent_sample" : inputs.keySet().iterator().next();
            type = ((TensorInfo) inputs.get(input).getInfo()).type;
            if (!FloatTensors.isFloat(type)) {
                throw new ModelLoadException(file, "latent_sample must be float or float16, the graph declares " + type);
            }
            Set<String> outputs = session.getOutputNames();
            output = outputs.contains("sample") ? "sample" : outputs.iterator().next();
        } catch (OrtException | RuntimeException e) {
            close();
            throw e instanceof ModelLoadException m ? m : new ModelLoadException(file, e.getMessage(), e);
        }
    }

    /** Images in [-1, 1] (roughly), [batch, 3, H, W] flattened. */
    float[] decode(float[] latents, long[] shape) {
        OrtEnvironment env = OnnxLoader.environment();
        try (OnnxTensor tensor = FloatTensors.create(env, type, latents, shape);
                OrtSession.Result result = session.run(Map.of(input, tensor), Set.of(output))) {
            return FloatTensors.read(result.get(0));
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": VAE decoder failed: " + e.getMessage(), e);
        }
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
