package io.quiver.models.chat;

import io.quiver.models.QueueTimeoutException;
import io.quiver.models.chat.StepExecutor.Logits;
import io.quiver.models.chat.StepPlanner.Admit;
import io.quiver.models.chat.StepPlanner.Chunk;
import io.quiver.models.chat.StepPlanner.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Continuous batching on one thread that owns the slots, vLLM v1's step: {@link StepPlanner#plan plan} (who
 * leaves, who is admitted to which slot, which prompt chunks prefill, whether to decode) → execute through the
 * {@link StepExecutor} (the only code that touches the session and the cache) → update (sample, stream, finish).
 * A long prompt prefills a chunk per step between decode steps, so running streams keep streaming.
 */
final class BatchScheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BatchScheduler.class.getName());
    private final StepExecutor executor;
    private final SlotTable slots;
    private final StepPlanner planner;
    private final PrefillPace pace;
    private final boolean prefixReuse;
    private final LinkedBlockingDeque<Sequence> pending = new LinkedBlockingDeque<>();
    private final Thread thread;
    private final EngineStats stats = new EngineStats();
    private volatile boolean closed;
    private volatile boolean cancelRows;
    private volatile IntConsumer stepObserver = batch -> { };

    BatchScheduler(StepExecutor executor, SlotTable slots, StepPlanner.Limits limits, String name) {
        this.executor = executor;
        this.slots = slots;
        this.planner = new StepPlanner(limits);
        this.pace = new PrefillPace(limits.chunkTokens(), limits.prefillStall());
        this.prefixReuse = limits.prefixReuse();
        this.thread = Thread.ofPlatform().name("quiver-chat-" + name).daemon(true).unstarted(this::loop);
        thread.start();
    }

    void submit(Sequence sequence) {
        if (closed) {
            throw new IllegalStateException("chat engine is closed");
        }
        if (sequence.group().size() > slots.size()) {
            throw new IllegalArgumentException(sequence.group().size() + " completions of one prompt cannot share a "
                    + "batch of " + slots.size() + " rows; ChatEngine.check refuses them");
        }
        sequence.queuedAt = System.nanoTime();
        pending.add(sequence);
        if (closed && pending.remove(sequence)) {
            // close() may have drained the queue between the check and the add.
            completeGroup(sequence, FinishReason.CANCELLED);
        }
    }

    /** Every running and queued sequence ends CANCELLED at the next step. */
    void cancelAll() {
        pending.forEach(s -> s.group().forEach(Sequence::cancel));
        // The slots belong to the scheduler thread: it cancels their sequences itself.
        cancelRows = true;
    }

    /** Sequences in the queue: each queued lead with its followers. */
    int waiting() {
        int n = 0;
        for (Sequence lead : pending) {
            n += 1 + lead.followers.size();
        }
        return n;
    }

    EngineStats stats() {
        return stats;
    }

    void observeSteps(IntConsumer observer) {
        stepObserver = observer;
    }

    private void loop() {
        while (!closed) {
            try {
                if (!step()) {
                    Sequence next = pending.poll(200, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        pending.putFirst(next);
                    }
                }
            } catch (InterruptedException e) {
                break;
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "chat step failed; failing its sequences", t);
                failAll(t);
            }
        }
        for (SlotTable.Slot s : busy()) {
            Sequence owner = s.owner;
            release(s, false);
            owner.complete(FinishReason.CANCELLED);
        }
        executor.close();
        Sequence s;
        while ((s = pending.poll()) != null) {
            completeGroup(s, FinishReason.CANCELLED);
        }
    }

    /** One engine step; false when there was nothing to do. */
    private boolean step() throws Exception {
        if (cancelRows) {
            cancelRows = false;
            busy().forEach(s -> s.owner.cancel());
        }
        List<Sequence> queued = queued();
        List<StepPlanner.Waiting> waiting = new ArrayList<>(queued.size());
        for (Sequence lead : queued) {
            waiting.add(new StepPlanner.Waiting(lead.prompt, lead.group().size(), lead.queuedAt,
                    lead.scoresPrompt(), lead.adapterId()));
        }
        StepPlan plan = planner.plan(slots.view(), waiting, System.nanoTime(), pace.tokens());
        if (plan.idle()) {
            return false;
        }
        for (int id : plan.leave()) {
            leave(slots.get(id));
        }
        for (int w : plan.expire()) {
            expire(queued.get(w));
        }
        for (Admit a : plan.admit()) {
            admit(queued.get(a.waiting()), a);
        }
        long started = System.nanoTime();
        int prefilled = 0;
        for (Chunk c : plan.chunks()) {
            prefill(c);
            prefilled += c.to() - c.from();
        }
        if (plan.paced() && prefilled > 0) {
            pace.prefilled(prefilled, System.nanoTime() - started);
        }
        long prefillNanos = System.nanoTime() - started;
        if (plan.decode()) {
            decode();
        }
        stats.busyTokens(slots.busyTokens());
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            // The step's profile (the category at DEBUG): what the running streams waited for, and why.
            LOG.log(System.Logger.Level.DEBUG, String.format("step: %d prompt tokens in %d chunks, %.1f ms; "
                    + "decode %s; %.1f ms in all", prefilled, plan.chunks().size(), prefillNanos / 1e6,
                    plan.decode() ? executor.decoding().size() + " rows" : "none",
                    (System.nanoTime() - started) / 1e6));
        }
        return true;
    }

    /** The queue in order, without the groups whose every member was cancelled (they end here). */
    private List<Sequence> queued() {
        List<Sequence> out = new ArrayList<>();
        for (Sequence lead : pending) {
            if (lead.group().stream().allMatch(Sequence::cancelled)) {
                if (pending.remove(lead)) {
                    completeGroup(lead, FinishReason.CANCELLED);
                }
            } else {
                out.add(lead);
            }
        }
        return out;
    }

    private void leave(SlotTable.Slot slot) {
        Sequence owner = slot.owner;
        boolean lead = slot.phase == SlotTable.Phase.PREFILLING;
        release(slot, true);
        owner.complete(owner.endReason());
        if (lead) {
            // Followers wait for their lead's prompt: without it they cannot start.
            for (Sequence f : owner.followers) {
                if (f.slot != null && f.slot.phase == SlotTable.Phase.RESERVED) {
                    f.cancel();
                }
            }
        }
    }

    private void expire(Sequence lead) {
        if (pending.remove(lead)) {
            long waited = (System.nanoTime() - lead.queuedAt) / 1_000_000;
            QueueTimeoutException timeout = new QueueTimeoutException("batch row", waited);
            lead.group().forEach(m -> m.fail(timeout));
        }
    }

    private void admit(Sequence lead, Admit a) {
        pending.remove(lead);
        List<Sequence> group = lead.group();
        int n = lead.prompt.length;
        if (n >= slots.capacity()) {
            IllegalStateException tooLong = new IllegalStateException(n + " prompt tokens fill a slot of "
                    + slots.capacity() + " positions; ChatEngine.check refuses such prompts");
            group.forEach(m -> m.fail(tooLong));
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            Sequence m = group.get(i);
            // The last line against a sequence outgrowing its slot: it ends with LENGTH when the slot is full.
            m.limitTokens(slots.capacity() - n);
            m.state = Sequence.State.PREFILLING;
            m.admitted();
            slots.take(slots.get(a.slots()[i]), m, i == 0 ? SlotTable.Phase.PREFILLING : SlotTable.Phase.RESERVED,
                    i == 0 ? a.reused() : 0);
            stats.running(+1);
        }
        if (prefixReuse && !lead.scoresPrompt()) {
            stats.prefixLookup(n, a.reused());
        }
    }

    private void prefill(Chunk c) {
        SlotTable.Slot slot = slots.get(c.slot());
        Sequence lead = slot.owner;
        if (lead == null || lead.ended()) {
            return;
        }
        try {
            boolean scoring = lead.scoresPrompt();
            Logits logits = executor.prefill(slot, lead.prompt, c.from(), c.to(), scoring);
            if (scoring) {
                lead.scorePrompt(logits.data(), c.from(), c.to(), logits.vocab());
            }
            if (c.completes()) {
                start(lead, logits);
            }
        } catch (Exception | Error e) {
            for (Sequence m : lead.group()) {
                if (m.slot != null) {
                    release(m.slot, false);
                }
                m.fail(e);
            }
        }
    }

    /**
     * The prompt is whole: each member of the group samples its first token from the last position's logits with
     * its own sampler (followers first take a copy of the lead's cache) and, unless that ended it, starts decoding.
     */
    private void start(Sequence lead, Logits logits) {
        stats.prefilled();
        int vocab = logits.vocab();
        int offset = (logits.rows() - 1) * vocab;
        List<Sequence> group = lead.group();
        for (Sequence f : lead.followers) {
            if (f.slot != null && !f.ended()) {
                executor.copy(lead.slot, f.slot, lead.slot.cached);
                f.slot.phase = SlotTable.Phase.PREFILLING;
            }
        }
        for (int j = 0; j < group.size(); j++) {
            Sequence m = group.get(j);
            if (m.ended()) {
                continue;
            }
            try {
                if (m.scoresPrompt()) {
                    m.promptScored(lead.scoredPrompt());
                    if (m.promptOnly()) {
                        m.finish(FinishReason.LENGTH);
                        continue;
                    }
                }
                // Each sampler changes its row in place: all but the last member sample from a copy.
                boolean last = j == group.size() - 1;
                float[] row = last ? logits.data() : Arrays.copyOfRange(logits.data(), offset, offset + vocab);
                if (!m.step(row, last ? offset : 0, vocab) && !m.ended()) {
                    m.state = Sequence.State.RUNNING;
                    m.slot.phase = SlotTable.Phase.DECODING;
                    executor.join(m.slot);
                }
            } catch (RuntimeException e) {
                m.fail(e);
            }
        }
    }

    private void decode() throws Exception {
        List<SlotTable.Slot> rows = executor.decoding();
        if (rows.isEmpty()) {
            return;
        }
        stepObserver.accept(rows.size());
        long started = System.nanoTime();
        Logits logits = executor.decode();
        int vocab = logits.vocab();
        for (int r = 0; r < rows.size(); r++) {
            Sequence m = rows.get(r).owner;
            if (m.ended()) {
                continue;
            }
            try {
                m.step(logits.data(), r * vocab, vocab);
            } catch (RuntimeException e) {
                m.fail(e);
            }
        }
        pace.decoded(System.nanoTime() - started);
    }

    /** Frees a slot: out of the decoding rows, its cache kept for reuse or not, its sequence no longer counted. */
    private void release(SlotTable.Slot slot, boolean keep) {
        executor.leave(slot);
        slots.release(slot, keep && executor.retainsCaches());
        stats.busyTokens(slots.busyTokens());
        stats.running(-1);
    }

    /**
     * After a failure inside a step no cache is trusted: every sequence holding a slot fails, the slots empty. The
     * sequences hear of it last, so that none sees its slot still counted.
     */
    private void failAll(Throwable t) {
        List<Sequence> owners = new ArrayList<>();
        for (SlotTable.Slot s : busy()) {
            owners.add(s.owner);
            slots.release(s, false);
            stats.running(-1);
        }
        try {
            executor.reset();
        } catch (RuntimeException e) {
            t.addSuppressed(e);
        }
        slots.clear();
        stats.busyTokens(0);
        owners.forEach(o -> o.fail(t));
    }

    private List<SlotTable.Slot> busy() {
        List<SlotTable.Slot> out = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).busy()) {
                out.add(slots.get(i));
            }
        }
        return out;
    }

    private static void completeGroup(Sequence lead, FinishReason reason) {
        lead.group().forEach(m -> m.complete(reason));
    }

    /** Stops the thread after its current step; running and queued sequences end CANCELLED. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        Sequence late;
        while ((late = pending.poll()) != null) {
            completeGroup(late, FinishReason.CANCELLED);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
