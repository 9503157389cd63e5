package io.quiver.models.chat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;

/**
 * The past tensors that hold the decoding rows' KV caches, one row per slot, padded to the longest (left, or right
 * where the graph's attention wants it, see {@link KvBlock}), for graphs whose cache grows each step
 * ({@link GrowingPastExecutor}). Rebuilt when rows leave or join; each decode step replaces them with its presents.
 */
final class BatchCache implements AutoCloseable {
    private final DecoderSession decoder;
    private OnnxTensor[] past;
    private AutoCloseable owner;
    private int length;

    BatchCache(DecoderSession decoder) {
        this.decoder = decoder;
    }

    /**
     * The caches of a new batch: first the {@code oldRows} kept from the current one (their indexes in it, in
     * order), then one row per joined slot from the block its prefill made; {@code rows} is the new batch.
     */
    void rebuild(List<SlotTable.Slot> rows, List<Integer> oldRows, int oldSize, List<KvBlock> joined) throws OrtException {
        int kept = oldRows.size();
        List<KvBlock.RowRef> refs = new ArrayList<>(rows.size());
        if (kept > 0) {
            KvBlock current = KvBlock.copyOf(past, oldSize, length, decoder.layout);
            for (int i = 0; i < kept; i++) {
                refs.add(new KvBlock.RowRef(current, oldRows.get(i), rows.get(i).cached));
            }
        }
        for (int i = 0; i < joined.size(); i++) {
            refs.add(new KvBlock.RowRef(joined.get(i), 0, rows.get(kept + i).cached));
        }
        KvBlock merged = KvBlock.gather(refs, 2 * decoder.layers, decoder.layout);
        OnnxTensor[] tensors = merged.tensors(decoder.env());
        close();
        past = tensors;
        owner = () -> closeAll(tensors);
        length = merged.length;
    }

    /**
     * One decode step: each row's last token at its own position on top of its cache; the step's presents become
     * the caches. The caller owns nothing of the returned step but its logits.
     */
    DecoderSession.Step decode(List<SlotTable.Slot> rows) throws OrtException {
        int batch = rows.size();
        int total = length + 1;
        long[] ids = new long[batch];
        long[] positions = new long[batch];
        long[] mask = new long[batch * total];
        for (int r = 0; r < batch; r++) {
            SlotTable.Slot s = rows.get(r);
            ids[r] = s.owner.lastToken();
            positions[r] = s.cached;
            int from = decoder.layout.rightPadded() ? 0 : total - (s.cached + 1);
            for (int c = from; c < from + s.cached + 1; c++) {
                mask[r * total + c] = 1;
            }
        }
        DecoderSession.Step step = decoder.run(ids, mask, positions, batch, 1, past);
        close();
        past = step.presents;
        owner = step;
        length = total;
        return step;
    }

    /** Frees the tensors (the batch emptied, or failed). */
    @Override
    public void close() {
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                System.getLogger(BatchCache.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot release KV tensors", e);
            }
        }
        past = null;
        owner = null;
        length = 0;
    }

    static void closeAll(OnnxTensor[] tensors) {
        for (OnnxTensor t : tensors) {
            t.close();
        }
    }
}
