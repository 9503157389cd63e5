package io.quiver.models.chat;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The executor for GroupQueryAttention graphs (onnxruntime-genai's model builder): one KV cache for the whole
 * engine, preallocated at load as [slots, kvHeads, capacity, headDim] per layer's key and value, that ONNX Runtime
 * reads as the past and writes as the present in place. A prefill writes its chunk's positions into one slot's row;
 * a decode step writes one position per decoding row. The decoding slots are kept in the first rows, so that a
 * step's cache is one contiguous view; joining or leaving swaps one row with the edge of that range (the valid
 * positions of two rows), never the batch. A LoRA adapter applies to a whole run, so the decoding rows are kept
 * grouped by adapter (each adapter's rows contiguous) and a decode step runs once per group: joining or leaving
 * then also moves one row across each later group's edge. Logits land in a pinned buffer too: a step allocates
 * nothing but tensor handles.
 */
final class SharedKvExecutor implements StepExecutor {
    private final DecoderSession decoder;
    private final SlotTable slots;
    private final KvArena arena = new KvArena();
    private final ByteBuffer[] kv;
    private final int heads;
    private final int capacity;
    private final int vectorBytes;
    private final long rowBytes;
    private final int vocab;
    private final ByteBuffer logits;
    private final int logitsBytes;
    private final LongBuffer ids;
    private final LongBuffer positions;
    private final LongBuffer mask;
    /** Tensors over rows [first, first + count), by {@link #viewKey}. Made on first use, kept. */
    private final Map<Integer, OnnxTensor[]> views = new HashMap<>();
    private ByteBuffer swapScratch;
    private float[] scratch = new float[0];
    private int decoding;

    /**
     * @param maxChunk the most prompt tokens one prefill run takes (sizes the logits buffer)
     */
    SharedKvExecutor(DecoderSession decoder, SlotTable slots, int vocab, int maxChunk) {
        this.decoder = decoder;
        this.slots = slots;
        this.vocab = vocab;
        DecoderSession.KvLayout layout = decoder.layout;
        this.heads = layout.kvHeads();
        this.capacity = slots.capacity();
        this.vectorBytes = layout.vectorBytes();
        this.rowBytes = (long) heads * capacity * vectorBytes;
        int count = slots.size();
        try {
            kv = new ByteBuffer[2 * decoder.layers];
            for (int i = 0; i < kv.length; i++) {
                kv[i] = arena.reserve(rowBytes * count);
            }
            int rows = Math.max(count, maxChunk);
            logitsBytes = decoder.logitsType == OnnxJavaType.FLOAT16 ? 2 : 4;
            logits = arena.reserve((long) logitsRows(decoder, count, maxChunk) * vocab * logitsBytes);
            ids = arena.reserve(8L * rows).asLongBuffer();
            positions = arena.reserve(8L * rows).asLongBuffer();
            mask = arena.reserve(8L * count * capacity).asLongBuffer();
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Bytes this executor holds for every slot at full length (the KV cache) and its pinned buffers. */
    static long bytes(DecoderSession decoder, int slots, int capacity, int vocab, int maxChunk) {
        long cache = 2L * decoder.layers * slots * capacity * decoder.layout.kvHeads() * decoder.layout.vectorBytes();
        return cache + (long) logitsRows(decoder, slots, maxChunk) * vocab * 4 + 8L * slots * capacity;
    }

    /** Rows of logits a run may write: a row per slot, or a chunk's every position unless the graph gives the last. */
    private static int logitsRows(DecoderSession decoder, int slots, int maxChunk) {
        return decoder.lastPositionOnly ? slots : Math.max(slots, maxChunk);
    }

    @Override
    public Logits prefill(SlotTable.Slot slot, int[] prompt, int from, int to, boolean allPositions)
            throws OrtException {
        decoder.checkScoring(allPositions);
        int n = to - from;
        for (int i = 0; i < n; i++) {
            ids.put(i, prompt[from + i]);
            positions.put(i, from + i);
        }
        for (int i = 0; i < to; i++) {
            mask.put(i, 1);
        }
        // A pruned graph's logits are the chunk's last position's alone.
        int scored = decoder.lastPositionOnly ? 1 : n;
        try (OnnxTensor out = logitsTensor(0, 1, scored)) {
            decoder.runInPlace(ids, mask, positions, 1, n, to, view(slot.row, 1), out, options(slot));
        }
        slot.append(prompt, from, to);
        return allPositions ? read(0, n) : read(scored - 1, 1);
    }

    @Override
    public void copy(SlotTable.Slot from, SlotTable.Slot to, int length) {
        int bytes = length * vectorBytes;
        for (ByteBuffer t : kv) {
            for (int h = 0; h < heads; h++) {
                t.put(offset(to.row, h), t, offset(from.row, h), bytes);
            }
        }
        to.cached = 0;
        to.append(from.tokens, 0, length);
    }

    /**
     * The slot's row goes to the end of its adapter's rows (a new adapter's rows start at the end), so that every
     * adapter's rows stay contiguous: each later group moves its first row to its end to make room.
     */
    @Override
    public void join(SlotTable.Slot slot) {
        if (slot.row < decoding) {
            throw new IllegalStateException("slot " + slot.id + " is decoding already");
        }
        int groupEnd = -1;
        for (int r = 0; r < decoding; r++) {
            if (slots.atRow(r).adapter == slot.adapter) {
                groupEnd = r + 1;
            }
        }
        swapRows(slot.row, decoding);
        decoding++;
        int at = decoding - 1;
        while (groupEnd >= 0 && at > groupEnd) {
            int first = at - 1;
            while (first > 0 && slots.atRow(first - 1).adapter == slots.atRow(at - 1).adapter) {
                first--;
            }
            swapRows(at, first);
            at = first;
        }
    }

    /** The slot's row moves to the end of its group, then the hole moves past each later group (its last row). */
    @Override
    public void leave(SlotTable.Slot slot) {
        if (slot.row >= decoding) {
            // Prefilling or waiting: its row is outside the decoding range already.
            return;
        }
        int hole = groupEnd(slot.row);
        swapRows(slot.row, hole);
        while (hole + 1 < decoding) {
            int last = groupEnd(hole + 1);
            swapRows(hole, last);
            hole = last;
        }
        decoding--;
    }

    /** The last row of the adapter group that row {@code r} is in. */
    private int groupEnd(int r) {
        int end = r;
        while (end + 1 < decoding && slots.atRow(end + 1).adapter == slots.atRow(r).adapter) {
            end++;
        }
        return end;
    }

    @Override
    public List<SlotTable.Slot> decoding() {
        List<SlotTable.Slot> out = new ArrayList<>(decoding);
        for (int r = 0; r < decoding; r++) {
            out.add(slots.atRow(r));
        }
        return out;
    }

    /** One run per adapter group of the decoding rows; the logits of all of them, in row order. */
    @Override
    public Logits decode() throws OrtException {
        int batch = decoding;
        for (int first = 0; first < batch; ) {
            int end = groupEnd(first) + 1;
            decode(first, end - first);
            first = end;
        }
        for (int r = 0; r < batch; r++) {
            SlotTable.Slot s = slots.atRow(r);
            s.append(s.owner.lastToken());
        }
        return read(0, batch);
    }

    /** One token for rows [first, first + count), which share an adapter. */
    private void decode(int first, int count) throws OrtException {
        int total = 0;
        for (int r = 0; r < count; r++) {
            total = Math.max(total, slots.atRow(first + r).cached + 1);
        }
        for (int r = 0; r < count; r++) {
            SlotTable.Slot s = slots.atRow(first + r);
            ids.put(r, s.owner.lastToken());
            positions.put(r, s.cached);
            // Right-padded: GroupQueryAttention reads each row's first cached + 1 positions.
            for (int c = 0; c < total; c++) {
                mask.put(r * total + c, c <= s.cached ? 1 : 0);
            }
        }
        try (OnnxTensor out = logitsTensor(first, count, 1)) {
            decoder.runInPlace(ids, mask, positions, count, 1, total, view(first, count), out,
                    options(slots.atRow(first)));
        }
    }

    /** The run options of the slot's sequence: its adapter's, or none for the base model. */
    private static OrtSession.RunOptions options(SlotTable.Slot slot) {
        LoraAdapters.Adapter adapter = slot.owner.adapter;
        return adapter == null ? null : adapter.options;
    }

    @Override
    public boolean retainsCaches() {
        return true;
    }

    @Override
    public void reset() {
        decoding = 0;
    }

    private long offset(int row) {
        return row * rowBytes;
    }

    private int offset(int row, int head) {
        return Math.toIntExact(offset(row) + (long) head * capacity * vectorBytes);
    }

    /** Exchanges the valid positions of two rows, and tells the slot table. */
    private void swapRows(int a, int b) {
        if (a == b) {
            return;
        }
        SlotTable.Slot x = slots.atRow(a);
        SlotTable.Slot y = slots.atRow(b);
        int xBytes = x.cached * vectorBytes;
        int yBytes = y.cached * vectorBytes;
        if (swapScratch == null && (xBytes > 0 || yBytes > 0)) {
            swapScratch = arena.reserve((long) capacity * vectorBytes);
        }
        for (ByteBuffer t : kv) {
            for (int h = 0; h < heads; h++) {
                int at = offset(a, h);
                int bt = offset(b, h);
                swapScratch.put(0, t, at, xBytes);
                t.put(at, t, bt, yBytes);
                t.put(bt, swapScratch, 0, xBytes);
            }
        }
        slots.swapRows(a, b);
    }

    private OnnxTensor[] view(int first, int rows) throws OrtException {
        int key = viewKey(first, rows);
        OnnxTensor[] v = views.get(key);
        if (v == null) {
            v = views(offset(first), rows);
            views.put(key, v);
        }
        return v;
    }

    private int viewKey(int first, int rows) {
        return first * (slots.size() + 1) + rows;
    }

    private OnnxTensor[] views(long offset, int rows) throws OrtException {
        OnnxTensor[] out = new OnnxTensor[kv.length];
        long[] shape = {rows, heads, capacity, decoder.layout.headDim()};
        try {
            for (int i = 0; i < kv.length; i++) {
                ByteBuffer view = kv[i].slice(Math.toIntExact(offset), Math.toIntExact(rows * rowBytes))
                        .order(ByteOrder.nativeOrder());
                out[i] = OnnxTensor.createTensor(decoder.env(), view, shape, decoder.layout.type());
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(out);
            throw e;
        }
        return out;
    }

    /** A tensor over the logits buffer from row {@code first} on, [batch, seqLen, vocab]. */
    private OnnxTensor logitsTensor(int first, int batch, int seqLen) throws OrtException {
        ByteBuffer view = logits.slice(first * vocab * logitsBytes, batch * seqLen * vocab * logitsBytes)
                .order(ByteOrder.nativeOrder());
        return OnnxTensor.createTensor(decoder.env(), view, new long[] {batch, seqLen, vocab}, decoder.logitsType);
    }

    /** Rows [first, first + count) of the last run's logits, as float32. */
    private Logits read(int first, int count) {
        int n = count * vocab;
        if (scratch.length < n) {
            scratch = new float[n];
        }
        if (logitsBytes == 4) {
            logits.asFloatBuffer().get(first * vocab, scratch, 0, n);
        } else {
            var half = logits.asShortBuffer();
            for (int i = 0; i < n; i++) {
                scratch[i] = Float.float16ToFloat(half.get(first * vocab + i));
            }
        }
        return new Logits(scratch, count, vocab);
    }

    private static void closeAll(OnnxTensor[] tensors) {
        if (tensors == null) {
            return;
        }
        for (OnnxTensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
    }

    @Override
    public void close() {
        views.values().forEach(SharedKvExecutor::closeAll);
        arena.close();
    }
}
