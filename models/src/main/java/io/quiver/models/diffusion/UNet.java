package io.quiver.models.diffusion;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.quiver.gpu.Placement;
import io.quiver.models.ModelLoadException;
import io.quiver.models.OnnxLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code unet/model.onnx}: {@code sample}, {@code timestep}, {@code encoder_hidden_states} (and {@code timestep_cond}
 * for latent consistency models) → {@code out_sample}. Names, dtypes and ranks are read from the session.
 */
final class UNet implements AutoCloseable {
    private static final List<String> KNOWN = List.of("sample", "timestep", "encoder_hidden_states", "timestep_cond");

    private final Path file;
    private final OrtSession session;
    private final TensorInfo sample;
    private final TensorInfo timestep;
    private final TensorInfo context;
    private final TensorInfo timestepCond;
    private final String output;

    UNet(Path file, Placement placement) {
        this.file = file;
        this.session = OnnxLoader.openSession(file, placement, true);
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            for (String name : inputs.keySet()) {
                if (!KNOWN.contains(name)) {
                    throw new ModelLoadException(file, "UNet input '" + name + "' is not supported (inputs: "
                            + inputs.keySet() + "; SD 1.x/2.x and LCM UNets take " + KNOWN + ")");
                }
            }
            sample = tensor(inputs, "sample", true);
            timestep = tensor(inputs, "timestep", true);
            context = tensor(inputs, "encoder_hidden_states", true);
            timestepCond = tensor(inputs, "timestep_cond", false);
            if (!FloatTensors.isFloat(sample.type) || !FloatTensors.isFloat(context.type)) {
                throw new ModelLoadException(file, "sample and encoder_hidden_states must be float or float16");
            }
            Set<String> outputs = session.getOutputNames();
            output = outputs.contains("out_sample") ? "out_sample" : outputs.iterator().next();
        } catch (OrtException | RuntimeException e) {
            close();
            throw e instanceof ModelLoadException m ? m : new ModelLoadException(file, e.getMessage(), e);
        }
    }

    private TensorInfo tensor(Map<String, NodeInfo> inputs, String name, boolean required) {
        NodeInfo node = inputs.get(name);
        if (node == null) {
            if (required) {
                throw new ModelLoadException(file, "the UNet has no '" + name + "' input (inputs: " + inputs.keySet() + ")");
            }
            return null;
        }
        if (!(node.getInfo() instanceof TensorInfo info)) {
            throw new ModelLoadException(file, "UNet input '" + name + "' is not a tensor");
        }
        return info;
    }

    /** True for latent consistency UNets: they take the guidance scale as an embedding, not as a batch of two. */
    boolean takesTimestepCond() {
        return timestepCond != null;
    }

    /** The width of {@code timestep_cond}, or -1 when the graph leaves it dynamic (or has none). */
    int timestepCondDim() {
        return timestepCond == null || timestepCond.getShape().length < 2 ? -1 : (int) timestepCond.getShape()[1];
    }

    /**
     * One evaluation over a batch.
     *
     * @param latents [batch, channels, height, width], flattened
     * @param hidden [batch, sequence, hidden], flattened
     * @param cond [batch, dim] guidance embedding for LCM UNets, else null
     */
    float[] predict(float[] latents, long[] shape, double t, float[] hidden, long[] hiddenShape, float[] cond) {
        OrtEnvironment env = OnnxLoader.environment();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("sample", FloatTensors.create(env, sample.type, latents, shape));
            feed.put("timestep", TimestepFeed.create(env, timestep.type, timestep.getShape(), t, (int) shape[0]));
            feed.put("encoder_hidden_states", FloatTensors.create(env, context.type, hidden, hiddenShape));
            if (timestepCond != null) {
                feed.put("timestep_cond", FloatTensors.create(env, timestepCond.type, cond,
                        new long[] {shape[0], cond.length / shape[0]}));
            }
            try (OrtSession.Result result = session.run(feed, Set.of(output))) {
                return FloatTensors.read(result.get(0));
            }
        } catch (OrtException e) {
            throw new IllegalStateException(file + ": UNet failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
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
