package io.quiver.models.chat;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The executor for graphs whose attention concatenates the past (Optimum's and transformers.js' exports): every
 * run returns a new present one position longer, so the decoding rows' caches are the last step's outputs
 * ({@link BatchCache}), regathered when rows join or leave. A prompt prefills in chunks on top of its own previous
 * chunk's presents. Caches do not outlive their sequences here (no prefix reuse); slots are bookkeeping only.
 */
final class GrowingPastExecutor implements StepExecutor {
    private final DecoderSession decoder;
    private final BatchCache cache;
    /** The rows in the batch cache, in order. */
    private List<SlotTable.Slot> batch = new ArrayList<>();
    /** Prefilling slots: the last chunk's run, whose presents are the slot's cache so far. */
    private final Map<SlotTable.Slot, DecoderSession.Step> partial = new HashMap<>();
    /** Prefilled caches not yet in the batch (a group's lead's serves its followers too). */
    private final Map<SlotTable.Slot, KvBlock> ready = new HashMap<>();
    /** Slots that joined or left since the last step. */
    private final Map<SlotTable.Slot, KvBlock> joining = new LinkedHashMap<>();
    private final Set<SlotTable.Slot> leaving = new HashSet<>();

    GrowingPastExecutor(DecoderSession decoder) {
        this.decoder = decoder;
        this.cache = new BatchCache(decoder);
    }

    @Override
    public Logits prefill(SlotTable.Slot slot, int[] prompt, int from, int to, boolean allPositions)
            throws OrtException {
        DecoderSession.Step previous = partial.get(slot);
        DecoderSession.Step step = decoder.prefill(prompt, from, to, previous, allPositions);
        if (previous != null) {
            previous.close();
        }
        partial.put(slot, step);
        slot.append(prompt, from, to);
        return new Logits(step.logits, allPositions ? to - from : 1, step.vocab);
    }

    @Override
    public void copy(SlotTable.Slot from, SlotTable.Slot to, int length) {
        ready.put(to, block(from));
        to.cached = 0;
        to.append(from.tokens, 0, length);
    }

    @Override
    public void join(SlotTable.Slot slot) {
        joining.put(slot, block(slot));
        ready.remove(slot);
    }

    /** The prefilled cache of a slot, copied once off its last chunk's run (which is then released). */
    private KvBlock block(SlotTable.Slot slot) {
        KvBlock block = ready.get(slot);
        if (block != null) {
            return block;
        }
        DecoderSession.Step step = partial.remove(slot);
        if (step == null) {
            throw new IllegalStateException("slot " + slot.id + " has no prefilled cache");
        }
        try {
            block = KvBlock.copyOf(step.presents, 1, slot.cached, decoder.layout);
            ready.put(slot, block);
            return block;
        } finally {
            step.close();
        }
    }

    @Override
    public void leave(SlotTable.Slot slot) {
        DecoderSession.Step step = partial.remove(slot);
        if (step != null) {
            step.close();
        }
        ready.remove(slot);
        joining.remove(slot);
        if (batch.contains(slot)) {
            leaving.add(slot);
        }
        if (decoding().isEmpty()) {
            // Nobody decodes: the batch's tensors go now rather than at the next join.
            batch = new ArrayList<>();
            leaving.clear();
            cache.close();
        }
    }

    @Override
    public List<SlotTable.Slot> decoding() {
        List<SlotTable.Slot> rows = new ArrayList<>();
        for (SlotTable.Slot s : batch) {
            if (!leaving.contains(s)) {
                rows.add(s);
            }
        }
        rows.addAll(joining.keySet());
        return rows;
    }

    @Override
    public Logits decode() throws OrtException {
        if (!leaving.isEmpty() || !joining.isEmpty()) {
            List<SlotTable.Slot> rows = decoding();
            List<Integer> kept = new ArrayList<>();
            for (int r = 0; r < batch.size(); r++) {
                if (!leaving.contains(batch.get(r))) {
                    kept.add(r);
                }
            }
            List<KvBlock> joined = new ArrayList<>(joining.values());
            int oldSize = batch.size();
            batch = rows;
            joining.clear();
            leaving.clear();
            cache.rebuild(rows, kept, oldSize, joined);
        }
        DecoderSession.Step step = cache.decode(batch);
        for (SlotTable.Slot s : batch) {
            s.append(s.owner.lastToken());
        }
        return new Logits(step.logits, batch.size(), step.vocab);
    }

    @Override
    public boolean retainsCaches() {
        return false;
    }

    @Override
    public void reset() {
        partial.values().forEach(DecoderSession.Step::close);
        partial.clear();
        ready.clear();
        joining.clear();
        leaving.clear();
        batch = new ArrayList<>();
        cache.close();
    }

    @Override
    public void close() {
        reset();
    }
}
