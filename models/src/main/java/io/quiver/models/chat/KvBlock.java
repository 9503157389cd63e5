package io.quiver.models.chat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A host copy of a batch's KV cache: for each past input, [rows, kvHeads, length, headDim] elements of the cache's
 * dtype, as raw bytes (so float32 and float16 caches take the same path). Rows are left-padded: a row holding
 * {@code valid} positions keeps them in the last {@code valid} columns, and the attention mask hides the rest; or,
 * for GroupQueryAttention's graphs ({@link DecoderSession.KvLayout#rightPadded}), in the first {@code valid}.
 * The scheduler only comes here when the batch changes; between changes each step's present tensors are fed back
 * as the next past without copying.
 */
final class KvBlock {
    final int rows;
    final int length;
    private final ByteBuffer[] data;
    private final DecoderSession.KvLayout layout;

    /** Where a row of a new block comes from: row {@code row} of {@code source}, its last {@code valid} columns. */
    record RowRef(KvBlock source, int row, int valid) {
    }

    private KvBlock(int rows, int length, ByteBuffer[] data, DecoderSession.KvLayout layout) {
        this.rows = rows;
        this.length = length;
        this.data = data;
        this.layout = layout;
    }

    /** Copies tensors (the present outputs of a run, or the current past) off the session. */
    static KvBlock copyOf(OnnxTensor[] tensors, int rows, int length, DecoderSession.KvLayout layout) {
        ByteBuffer[] data = new ByteBuffer[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            data[i] = tensors[i].getByteBuffer().order(ByteOrder.nativeOrder());
            int expected = rows * layout.kvHeads() * length * layout.vectorBytes();
            if (data[i].remaining() != expected) {
                throw new IllegalStateException("KV tensor " + i + " has " + data[i].remaining() + " bytes, expected "
                        + expected + " for [" + rows + ", " + layout.kvHeads() + ", " + length + ", "
                        + layout.headDim() + "]");
            }
        }
        return new KvBlock(rows, length, data, layout);
    }

    /** An empty past for {@code rows} rows (the first step of a prefill). */
    static KvBlock empty(int rows, int tensors, DecoderSession.KvLayout layout) {
        ByteBuffer[] data = new ByteBuffer[tensors];
        for (int i = 0; i < tensors; i++) {
            data[i] = ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
        }
        return new KvBlock(rows, 0, data, layout);
    }

    /** A new block of the given rows, padded to the longest (on the layout's side); padding is zero. */
    static KvBlock gather(List<RowRef> refs, int tensors, DecoderSession.KvLayout layout) {
        int length = 0;
        for (RowRef ref : refs) {
            length = Math.max(length, ref.valid());
        }
        int heads = layout.kvHeads();
        int vector = layout.vectorBytes();
        ByteBuffer[] data = new ByteBuffer[tensors];
        for (int t = 0; t < tensors; t++) {
            ByteBuffer out = ByteBuffer.allocateDirect(refs.size() * heads * length * vector)
                    .order(ByteOrder.nativeOrder());
            for (int r = 0; r < refs.size(); r++) {
                RowRef ref = refs.get(r);
                ByteBuffer src = ref.source().data[t];
                int srcLength = ref.source().length;
                int bytes = ref.valid() * vector;
                int srcStart = layout.rightPadded() ? 0 : srcLength - ref.valid();
                int dstStart = layout.rightPadded() ? 0 : length - ref.valid();
                for (int h = 0; h < heads; h++) {
                    int from = ((ref.row() * heads + h) * srcLength + srcStart) * vector;
                    int to = ((r * heads + h) * length + dstStart) * vector;
                    out.put(to, src, from, bytes);
                }
            }
            data[t] = out;
        }
        return new KvBlock(refs.size(), length, data, layout);
    }

    /** Tensors over this block's buffers (no copy); close them before dropping the block. */
    OnnxTensor[] tensors(OrtEnvironment env) throws OrtException {
        OnnxTensor[] out = new OnnxTensor[data.length];
        long[] shape = {rows, layout.kvHeads(), length, layout.headDim()};
        try {
            for (int i = 0; i < data.length; i++) {
                out[i] = OnnxTensor.createTensor(env, data[i], shape, layout.type());
            }
        } catch (OrtException | RuntimeException e) {
            for (OnnxTensor t : out) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        return out;
    }
}
