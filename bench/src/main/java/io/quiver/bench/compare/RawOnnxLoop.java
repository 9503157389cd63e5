package io.quiver.bench.compare;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.bench.load.Outcome;
import io.quiver.gpu.Placement;
import io.quiver.models.OnnxLoader;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The floor for chat: a plain greedy loop on the same ONNX model with the same session options as the server, one
 * sequence, KV cache fed back each step, no HTTP, scheduler, sampler or detokeniser. What the server adds per token
 * on top of this is its overhead.
 */
public final class RawOnnxLoop implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int bos;
    private final boolean positions;

    public RawOnnxLoop(Path folder) throws IOException {
        JsonNode config = new ObjectMapper().readTree(folder.resolve("config.json").toFile());
        int heads = config.path("num_attention_heads").asInt();
        this.layers = config.path("num_hidden_layers").asInt();
        this.kvHeads = config.path("num_key_value_heads").asInt(heads);
        this.headDim = config.path("hidden_size").asInt() / heads;
        this.bos = config.path("bos_token_id").asInt();
        this.session = OnnxLoader.openSession(folder.resolve("onnx/model.onnx"), Placement.CPU, false);
        this.env = OrtEnvironment.getEnvironment();
        this.tokenizer = HuggingFaceTokenizer.newInstance(folder.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false"));
        Set<String> inputs = session.getInputNames();
        this.positions = inputs.contains("position_ids");
    }

    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        for (int i = 0; i < ids.length; i++) {
            out[i + 1] = (int) ids[i];
        }
        return out;
    }

    /** Greedy decoding of {@code tokens} tokens after {@code prompt}, timed like a stream. */
    public Outcome generate(String prompt, int tokens) {
        long start = System.nanoTime();
        int[] ids = encode(prompt);
        long[] gaps = new long[Math.max(0, tokens - 1)];
        long first = -1;
        long last = 0;
        OrtSession.Result previous = null;
        Map<String, OnnxTensor> initial = emptyPast();
        Map<String, OnnxTensor> past = initial;
        try {
            long[] feed = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                feed[i] = ids[i];
            }
            int seen = 0;
            for (int t = 0; t < tokens; t++) {
                OrtSession.Result result = step(feed, seen, past);
                seen += feed.length;
                int next = argmaxLast((OnnxTensor) result.get("logits").orElseThrow());
                past = presents(result); // owned by result, freed with it one step later
                if (previous != null) {
                    previous.close();
                }
                previous = result;
                feed = new long[] {next};
                long now = System.nanoTime();
                if (first < 0) {
                    first = now;
                } else {
                    gaps[t - 1] = now - last;
                }
                last = now;
            }
            return new Outcome(200, null, first - start, System.nanoTime() - start, gaps, tokens, ids.length);
        } catch (OrtException e) {
            return Outcome.failed(500, e.getMessage(), System.nanoTime() - start);
        } finally {
            if (previous != null) {
                previous.close();
            }
            initial.values().forEach(OnnxTensor::close);
        }
    }

    private OrtSession.Result step(long[] feed, int seen, Map<String, OnnxTensor> past) throws OrtException {
        int total = seen + feed.length;
        long[] mask = new long[total];
        java.util.Arrays.fill(mask, 1);
        long[] pos = new long[feed.length];
        for (int i = 0; i < feed.length; i++) {
            pos[i] = seen + i;
        }
        Map<String, OnnxTensor> in = new HashMap<>(past);
        try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(feed), new long[] {1, feed.length});
             OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, total});
             OnnxTensor p = OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, feed.length})) {
            in.put("input_ids", ids);
            in.put("attention_mask", m);
            if (positions) {
                in.put("position_ids", p);
            }
            return session.run(in);
        }
    }

    private Map<String, OnnxTensor> emptyPast() {
        Map<String, OnnxTensor> past = new HashMap<>();
        try {
            for (int i = 0; i < layers; i++) {
                for (String kind : new String[] {"key", "value"}) {
                    past.put("past_key_values." + i + "." + kind, OnnxTensor.createTensor(env,
                            FloatBuffer.allocate(0), new long[] {1, kvHeads, 0, headDim}));
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
        return past;
    }

    /** The step's present tensors become the next step's past, without copying. */
    private Map<String, OnnxTensor> presents(OrtSession.Result result) {
        Map<String, OnnxTensor> past = new HashMap<>();
        for (int i = 0; i < layers; i++) {
            for (String kind : new String[] {"key", "value"}) {
                OnnxValue v = result.get("present." + i + "." + kind).orElseThrow();
                past.put("past_key_values." + i + "." + kind, (OnnxTensor) v);
            }
        }
        return past;
    }

    private static int argmaxLast(OnnxTensor logits) {
        long[] shape = logits.getInfo().getShape();
        int vocab = (int) shape[2];
        FloatBuffer all = logits.getFloatBuffer();
        int offset = (int) ((shape[1] - 1) * vocab);
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float v = all.get(offset + i);
            if (v > max) {
                max = v;
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() throws OrtException {
        session.close();
        tokenizer.close();
    }
}
