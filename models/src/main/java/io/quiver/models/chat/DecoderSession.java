package io.quiver.models.chat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.quiver.gpu.Placement;
import io.quiver.models.GraphSummary;
import io.quiver.models.ModelLoadException;
import io.quiver.models.OnnxLoader;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A decoder graph: {@code input_ids}, {@code attention_mask}, optional {@code position_ids},
 * {@code past_key_values.{i}.key|value} → {@code logits}, {@code present.{i}.key|value} under Optimum's names or
 * those of a genai_config.json ({@link DecoderIo}). Dtypes and shapes come from the session; the KV cache may be
 * float32 or float16 (handled as raw bytes, see {@link KvBlock}). GroupQueryAttention's {@code seqlens_k} and
 * {@code total_sequence_length} are fed when the graph declares them (the model builder's graphs derive both from
 * the attention mask inside).
 */
final class DecoderSession implements AutoCloseable {
    private final OrtEnvironment env = OnnxLoader.environment();
    private final OrtSession session;
    private final Path file;
    final int layers;
    final KvLayout layout;
    final boolean hasPositionIds;
    private final DecoderIo io;
    /** Whether the graph takes GroupQueryAttention's seqlens_k as an input (else it derives it from the mask). */
    final boolean seqlensK;
    /** The declared shape of total_sequence_length ([] or [1]), null when the graph has no such input. */
    private final long[] totalLength;
    private final String[] pastNames;
    private final String[] presentNames;
    /** The logits' element type (float32, or float16 for some exports). */
    final OnnxJavaType logitsType;
    /** Logits of the last position alone ([batch, 1, vocab]: the builder's prune_lm_head): no prompt scoring. */
    final boolean lastPositionOnly;

    /**
     * Shape and element type of one past/present tensor: [batch, kvHeads, length, headDim]; {@code rightPadded}:
     * a row shorter than the batch holds its positions in the first columns (else the last).
     */
    record KvLayout(int kvHeads, int headDim, OnnxJavaType type, boolean rightPadded) {
        int elementBytes() {
            return type == OnnxJavaType.FLOAT16 || type == OnnxJavaType.BFLOAT16 ? 2 : 4;
        }

        /** Bytes of one row's one position across heads is not contiguous; this is one head's one position. */
        int vectorBytes() {
            return headDim * elementBytes();
        }
    }

    /**
     * One run's outputs: the last position's logits of each row (or every position's, when asked), and the present
     * tensors (owned by the result).
     */
    static final class Step implements AutoCloseable {
        private final OrtSession.Result result;
        final float[] logits;
        final int vocab;
        final OnnxTensor[] presents;

        private Step(OrtSession.Result result, float[] logits, int vocab, OnnxTensor[] presents) {
            this.result = result;
            this.logits = logits;
            this.vocab = vocab;
            this.presents = presents;
        }

        @Override
        public void close() {
            result.close();
        }
    }

    private DecoderSession(OrtSession session, Path file, DecoderIo io, int fallbackKvHeads, int fallbackHeadDim,
                           boolean rightPadded) throws OrtException {
        this.session = session;
        this.file = file;
        this.io = io;
        Map<String, NodeInfo> inputs = session.getInputInfo();
        for (String required : new String[] {io.inputIds(), io.attentionMask()}) {
            if (!inputs.containsKey(required)) {
                throw new ModelLoadException(file, "decoder graph has no input " + required + " (inputs: "
                        + inputs.keySet() + ")");
            }
        }
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        if (!outputs.containsKey(io.logits())) {
            throw new ModelLoadException(file, "decoder graph has no output " + io.logits());
        }
        TensorInfo logits = (TensorInfo) outputs.get(io.logits()).getInfo();
        logitsType = logits.type;
        lastPositionOnly = logits.getShape().length == 3 && logits.getShape()[1] == 1;
        hasPositionIds = inputs.containsKey(io.positionIds());
        seqlensK = inputs.containsKey(io.seqlensK());
        totalLength = inputs.get(io.totalSequenceLength()) instanceof NodeInfo total
                ? ((TensorInfo) total.getInfo()).getShape() : null;
        int n = 0;
        while (inputs.containsKey(DecoderIo.layer(io.pastKey(), n))) {
            n++;
        }
        if (n == 0) {
            throw new ModelLoadException(file, "decoder graph has no " + (io == DecoderIo.OPTIMUM
                    ? "past_key_values inputs" : "input " + DecoderIo.layer(io.pastKey(), 0))
                    + " (export with KV cache)");
        }
        layers = n;
        pastNames = new String[2 * n];
        presentNames = new String[2 * n];
        for (int i = 0; i < n; i++) {
            pastNames[2 * i] = DecoderIo.layer(io.pastKey(), i);
            pastNames[2 * i + 1] = DecoderIo.layer(io.pastValue(), i);
            presentNames[2 * i] = DecoderIo.layer(io.presentKey(), i);
            presentNames[2 * i + 1] = DecoderIo.layer(io.presentValue(), i);
            if (!inputs.containsKey(pastNames[2 * i + 1])) {
                throw new ModelLoadException(file, "decoder graph has no input " + pastNames[2 * i + 1]);
            }
            for (String present : new String[] {presentNames[2 * i], presentNames[2 * i + 1]}) {
                if (!outputs.containsKey(present)) {
                    throw new ModelLoadException(file, "decoder graph has no output " + present);
                }
            }
        }
        TensorInfo past = (TensorInfo) inputs.get(pastNames[0]).getInfo();
        long[] shape = past.getShape();
        int heads = shape.length == 4 && shape[1] > 0 ? (int) shape[1] : fallbackKvHeads;
        int dim = shape.length == 4 && shape[3] > 0 ? (int) shape[3] : fallbackHeadDim;
        if (heads <= 0 || dim <= 0) {
            throw new ModelLoadException(file, "cannot tell the KV heads and head size from the graph or its config");
        }
        if (past.type != OnnxJavaType.FLOAT && past.type != OnnxJavaType.FLOAT16) {
            throw new ModelLoadException(file, "KV cache type " + past.type + " is not supported (float32, float16)");
        }
        layout = new KvLayout(heads, dim, past.type, rightPadded);
    }

    /** A graph with Optimum's I/O names. */
    static DecoderSession open(Path onnx, Placement placement, int fallbackKvHeads, int fallbackHeadDim) {
        return open(onnx, placement, DecoderIo.OPTIMUM, fallbackKvHeads, fallbackHeadDim);
    }

    /**
     * A graph with the given I/O names. GroupQueryAttention writes a row's new key and value at that row's own
     * length, so a graph with it keeps each row's cache in the first columns: its batches are right-padded.
     */
    static DecoderSession open(Path onnx, Placement placement, DecoderIo io, int fallbackKvHeads,
                               int fallbackHeadDim) {
        boolean rightPadded = GraphSummary.read(onnx).opTypes().contains("GroupQueryAttention");
        OrtSession session = OnnxLoader.openSession(onnx, placement, false);
        try {
            return new DecoderSession(session, onnx, io, fallbackKvHeads, fallbackHeadDim, rightPadded);
        } catch (OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // already failing
            }
            throw e instanceof ModelLoadException m ? m : new ModelLoadException(onnx, e.getMessage(), e);
        }
    }

    /**
     * Runs {@code seqLen} new tokens per row on top of a past of {@code pastLen} positions.
     *
     * @param ids       [batch × seqLen] token ids
     * @param mask      [batch × (pastLen + seqLen)] 1 for real positions, 0 for padding (left, or right for
     *                  {@link KvLayout#rightPadded})
     * @param positions [batch × seqLen] each token's position in its own sequence
     * @param past      the 2 × layers past tensors, [batch, kvHeads, pastLen, headDim]
     */
    Step run(long[] ids, long[] mask, long[] positions, int batch, int seqLen, OnnxTensor[] past) throws OrtException {
        return run(ids, mask, positions, batch, seqLen, past, false);
    }

    /**
     * As {@link #run(long[], long[], long[], int, int, OnnxTensor[])}; with {@code allPositions} the step's logits
     * are every position's, [batch × seqLen × vocab] (the graph computes them all unless told otherwise), which
     * scoring a prompt needs.
     */
    Step run(long[] ids, long[] mask, long[] positions, int batch, int seqLen, OnnxTensor[] past, boolean allPositions)
            throws OrtException {
        return run(ids, mask, positions, batch, seqLen, past, allPositions, null);
    }

    /** Every position's logits are asked for: a graph that computes the last one's alone cannot give them. */
    void checkScoring(boolean allPositions) {
        if (allPositions && lastPositionOnly) {
            throw new IllegalStateException("the graph computes the last position's logits alone; "
                    + "ChatEngine.check refuses scoring a prompt on it");
        }
    }

    /** As above, with run options ({@code null}: none), e.g. a LoRA adapter made active. */
    private Step run(long[] ids, long[] mask, long[] positions, int batch, int seqLen, OnnxTensor[] past,
                     boolean allPositions, OrtSession.RunOptions options) throws OrtException {
        checkScoring(allPositions);
        int total = mask.length / batch;
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put(io.inputIds(), OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, seqLen}));
            feed.put(io.attentionMask(),
                    OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {batch, total}));
            if (hasPositionIds) {
                feed.put(io.positionIds(),
                        OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {batch, seqLen}));
            }
            attentionLengths(LongBuffer.wrap(mask), batch, total, feed);
            Map<String, OnnxTensor> inputs = new HashMap<>(feed);
            for (int i = 0; i < pastNames.length; i++) {
                inputs.put(pastNames[i], past[i]);
            }
            OrtSession.Result result = options == null ? session.run(inputs) : session.run(inputs, options);
            try {
                OnnxTensor logits = (OnnxTensor) result.get(io.logits()).orElseThrow();
                long[] shape = logits.getInfo().getShape();
                int vocab = (int) shape[2];
                float[] last = allPositions ? allPositions(logits) : lastPositions(logits, batch, (int) shape[1], vocab);
                OnnxTensor[] presents = new OnnxTensor[presentNames.length];
                for (int i = 0; i < presentNames.length; i++) {
                    presents[i] = (OnnxTensor) result.get(presentNames[i]).orElseThrow(
                            () -> new OrtException("decoder graph has no output " + presentNames[0]));
                }
                return new Step(result, last, vocab, presents);
            } catch (OrtException | RuntimeException e) {
                result.close();
                throw e;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * One run over caches that ONNX Runtime reads and writes in place (GroupQueryAttention's shared buffer, as
     * onnxruntime-genai binds it): each {@code kv} tensor is a layer's past input and, pinned, the same layer's present
     * output, a view of [batch, kvHeads, capacity, headDim] of the engine's cache, so a step writes only its new
     * positions. The logits land in the pinned {@code logits}, [batch × seqLen × vocab]. {@code ids} and
     * {@code positions} ([batch × seqLen]) and {@code mask} ([batch × total], right-padded) are direct buffers the
     * caller filled; nothing else is allocated beyond the tensor handles. {@code options} (or null) carry the
     * run's LoRA adapter, which then applies to every row.
     */
    void runInPlace(LongBuffer ids, LongBuffer mask, LongBuffer positions, int batch, int seqLen, int total,
                    OnnxTensor[] kv, OnnxTensor logits, OrtSession.RunOptions options) throws OrtException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put(io.inputIds(), OnnxTensor.createTensor(env, ids.slice(0, batch * seqLen),
                    new long[] {batch, seqLen}));
            feed.put(io.attentionMask(), OnnxTensor.createTensor(env, mask.slice(0, batch * total),
                    new long[] {batch, total}));
            if (hasPositionIds) {
                feed.put(io.positionIds(), OnnxTensor.createTensor(env, positions.slice(0, batch * seqLen),
                        new long[] {batch, seqLen}));
            }
            attentionLengths(mask, batch, total, feed);
            Map<String, OnnxTensor> inputs = new HashMap<>(feed);
            Map<String, OnnxTensor> outputs = new HashMap<>();
            outputs.put(io.logits(), logits);
            for (int i = 0; i < pastNames.length; i++) {
                inputs.put(pastNames[i], kv[i]);
                outputs.put(presentNames[i], kv[i]);
            }
            (options == null ? session.run(inputs, outputs) : session.run(inputs, Set.of(), outputs, options))
                    .close();
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** GroupQueryAttention's seqlens_k (each row's length - 1) and total length, where the graph takes them. */
    private void attentionLengths(LongBuffer mask, int batch, int total, Map<String, OnnxTensor> feed)
            throws OrtException {
        if (seqlensK) {
            int[] lengths = new int[batch];
            for (int i = 0; i < batch * total; i++) {
                lengths[i / total] += (int) mask.get(i);
            }
            for (int b = 0; b < batch; b++) {
                lengths[b]--;
            }
            feed.put(io.seqlensK(), OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[] {batch}));
        }
        if (totalLength != null) {
            feed.put(io.totalSequenceLength(), OnnxTensor.createTensor(env, IntBuffer.wrap(new int[] {total}),
                    totalLength.length == 0 ? new long[0] : new long[] {1}));
        }
    }

    /**
     * Prompt positions [from, to) of one sequence, on top of {@code past} (the run of its previous chunk, whose
     * presents are its cache so far) or, when null, of an empty cache: the prefill of a graph whose cache grows.
     */
    Step prefill(int[] prompt, int from, int to, Step past, boolean allPositions) throws OrtException {
        return prefill(prompt, from, to, past, allPositions, null);
    }

    private Step prefill(int[] prompt, int from, int to, Step past, boolean allPositions,
                         OrtSession.RunOptions options) throws OrtException {
        int n = to - from;
        long[] ids = new long[n];
        long[] positions = new long[n];
        long[] mask = new long[to];
        for (int i = 0; i < n; i++) {
            ids[i] = prompt[from + i];
            positions[i] = from + i;
        }
        java.util.Arrays.fill(mask, 1);
        if (past != null) {
            return run(ids, mask, positions, 1, n, past.presents, allPositions, options);
        }
        OnnxTensor[] empty = KvBlock.empty(1, 2 * layers, layout).tensors(env);
        try {
            return run(ids, mask, positions, 1, n, empty, allPositions, options);
        } finally {
            for (OnnxTensor t : empty) {
                t.close();
            }
        }
    }

    /**
     * The shape of the first present output after one token on an empty past: what the graph computes, where its
     * declared shapes leave the cache's dimensions symbolic.
     */
    long[] probe(int token) throws OrtException {
        try (Step step = prefill(new int[] {token}, 0, 1, null, false)) {
            return step.presents[0].getInfo().getShape();
        }
    }

    /** One token on an empty past under these run options: fails as a step would if they do not fit the graph. */
    void probe(int token, OrtSession.RunOptions options) throws OrtException {
        prefill(new int[] {token}, 0, 1, null, false, options).close();
    }

    /** The logits of each row's last position, as float32, [batch × vocab]. */
    private static float[] lastPositions(OnnxTensor logits, int batch, int seqLen, int vocab) {
        float[] out = new float[batch * vocab];
        if (logits.getInfo().type == OnnxJavaType.FLOAT16) {
            ShortBuffer half = logits.getShortBuffer();
            for (int b = 0; b < batch; b++) {
                int from = (b * seqLen + seqLen - 1) * vocab;
                for (int v = 0; v < vocab; v++) {
                    out[b * vocab + v] = Float.float16ToFloat(half.get(from + v));
                }
            }
        } else {
            FloatBuffer all = logits.getFloatBuffer();
            for (int b = 0; b < batch; b++) {
                all.get((b * seqLen + seqLen - 1) * vocab, out, b * vocab, vocab);
            }
        }
        return out;
    }

    /** Every position's logits, as float32. */
    private static float[] allPositions(OnnxTensor logits) {
        if (logits.getInfo().type == OnnxJavaType.FLOAT16) {
            ShortBuffer half = logits.getShortBuffer();
            float[] out = new float[half.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Float.float16ToFloat(half.get(i));
            }
            return out;
        }
        FloatBuffer all = logits.getFloatBuffer();
        float[] out = new float[all.remaining()];
        all.get(out);
        return out;
    }

    OrtEnvironment env() {
        return env;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close " + file, e);
        }
    }
}
