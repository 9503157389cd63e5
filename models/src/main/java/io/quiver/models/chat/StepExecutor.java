package io.quiver.models.chat;

import ai.onnxruntime.OrtException;
import java.util.List;

/**
 * The middle part of every engine step: the only code that touches the ONNX Runtime session and the KV cache. It
 * writes prompt chunks into slots, moves slots in and out of the decoding rows, and runs the decode step; each
 * write appends to the slot's tokens, so a slot always says what its cache row holds. Used by the scheduler's
 * thread alone.
 */
interface StepExecutor extends AutoCloseable {
    /**
     * Logits of a run, as float32 rows of {@code vocab}; {@code data} is the executor's own and is overwritten by
     * its next call.
     */
    record Logits(float[] data, int rows, int vocab) {
    }

    /**
     * Prefills prompt positions [from, to) into the slot, whose first {@code from} positions hold the prompt's
     * first tokens already. Returns the last position's logits, or with {@code allPositions} each position's.
     */
    Logits prefill(SlotTable.Slot slot, int[] prompt, int from, int to, boolean allPositions) throws OrtException;

    /** A group's follower takes its lead's first {@code length} positions into its own slot. */
    void copy(SlotTable.Slot from, SlotTable.Slot to, int length);

    /** A prefilled slot starts decoding. */
    void join(SlotTable.Slot slot);

    /** A decoding slot stops (its sequence ended); its cache stays where {@link #retainsCaches} says. */
    void leave(SlotTable.Slot slot);

    /** The decoding slots, in the order of the rows {@link #decode} returns. */
    List<SlotTable.Slot> decoding();

    /** One token for every decoding slot: each owner's last sampled token at its own position. */
    Logits decode() throws OrtException;

    /** Whether a slot's cache outlives its sequence, for a later prompt with the same prefix. */
    boolean retainsCaches();

    /** Forgets every cache (after a failure that leaves none trustworthy). */
    void reset();

    @Override
    void close();
}
