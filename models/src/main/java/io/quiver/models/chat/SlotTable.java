package io.quiver.models.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * The engine's KV slots, one cache row each, and what each holds (llama-server's slots): the tokens whose keys and
 * values are in the row, in order, so that a new prompt can reuse the longest prefix a slot already holds. A slot
 * keeps its id for life; the executor may move it to another row of the cache ({@link #swap}). Owned by the
 * scheduler's thread.
 */
final class SlotTable {
    /** What a slot is doing; only DECODING slots take part in a decode step. */
    enum Phase {
        /** Holds nothing. */
        FREE,
        /** Its sequence ended; it keeps that sequence's tokens for prefix reuse until it is taken. */
        IDLE,
        /** Taken by a follower (n > 1) that waits for its group's lead to finish the prompt. */
        RESERVED,
        PREFILLING,
        DECODING
    }

    static final class Slot {
        /** Stable: plans name slots by id. */
        final int id;
        /** The cache row it occupies now. */
        int row;
        Phase phase = Phase.FREE;
        /** The tokens in the row: its first {@code cached} entries. */
        final int[] tokens;
        int cached;
        Sequence owner;
        /** When it was taken (admission order) or, idle, last used: a logical clock. */
        long since;
        /** The LoRA adapter its cache was computed with ({@link LoraAdapters.Adapter#id}; 0: the base model). */
        long adapter;

        private Slot(int id, int capacity) {
            this.id = id;
            this.row = id;
            this.tokens = new int[capacity];
        }

        void append(int token) {
            tokens[cached++] = token;
        }

        void append(int[] source, int from, int to) {
            System.arraycopy(source, from, tokens, cached, to - from);
            cached += to - from;
        }

        boolean busy() {
            return phase == Phase.RESERVED || phase == Phase.PREFILLING || phase == Phase.DECODING;
        }
    }

    /** By id, and by the row each occupies. */
    private final Slot[] slots;
    private final Slot[] rows;
    private final int capacity;
    private long clock;

    /** {@code count} slots of {@code capacity} positions each. */
    SlotTable(int count, int capacity) {
        this.capacity = capacity;
        this.slots = new Slot[count];
        this.rows = new Slot[count];
        for (int i = 0; i < count; i++) {
            slots[i] = new Slot(i, capacity);
            rows[i] = slots[i];
        }
    }

    int size() {
        return slots.length;
    }

    /** Positions one slot holds: the longest sequence the engine serves. */
    int capacity() {
        return capacity;
    }

    Slot get(int id) {
        return slots[id];
    }

    /** The slot in a cache row. */
    Slot atRow(int row) {
        return rows[row];
    }

    /** Gives a slot to a sequence, which then prefills into it (or waits for its lead, RESERVED). */
    void take(Slot slot, Sequence owner, Phase phase, int reused) {
        slot.phase = phase;
        slot.owner = owner;
        slot.cached = reused;
        slot.since = ++clock;
        slot.adapter = owner.adapterId();
        owner.slot = slot;
    }

    /**
     * Releases a slot: its tokens stay for reuse ({@code keep}), or it is emptied (a sequence that failed, whose
     * cache cannot be trusted).
     */
    void release(Slot slot, boolean keep) {
        slot.phase = keep && slot.cached > 0 ? Phase.IDLE : Phase.FREE;
        if (slot.phase == Phase.FREE) {
            slot.cached = 0;
            slot.adapter = 0;
        }
        if (slot.owner != null) {
            slot.owner.slot = null;
        }
        slot.owner = null;
        slot.since = ++clock;
    }

    /** Records that the executor exchanged the contents of two cache rows. */
    void swapRows(int a, int b) {
        Slot x = rows[a];
        Slot y = rows[b];
        rows[a] = y;
        rows[b] = x;
        y.row = a;
        x.row = b;
    }

    /** The slots in a phase, in row order. */
    List<Slot> in(Phase phase) {
        List<Slot> out = new ArrayList<>();
        for (Slot s : rows) {
            if (s.phase == phase) {
                out.add(s);
            }
        }
        return out;
    }

    /** Positions held by running sequences (prefilling or decoding), for the cache-usage gauge. */
    long busyTokens() {
        long sum = 0;
        for (Slot s : slots) {
            if (s.busy()) {
                sum += s.cached;
            }
        }
        return sum;
    }

    /** What the planner reads of each slot. */
    List<StepPlanner.SlotView> view() {
        List<StepPlanner.SlotView> out = new ArrayList<>(slots.length);
        for (Slot s : slots) {
            Sequence o = s.owner;
            out.add(new StepPlanner.SlotView(s.id, s.phase, s.cached, o == null ? 0 : o.prompt.length,
                    o != null && o.ended(), s.since, s.tokens, s.adapter));
        }
        return out;
    }

    /** Empties every slot (after a failure that leaves no row's cache trustworthy). */
    void clear() {
        for (Slot s : slots) {
            release(s, false);
        }
    }
}
