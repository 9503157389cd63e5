package io.quiver.models.chat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.QueueTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Continuous batching on one thread that owns the running batch: schedule (drop finished and cancelled sequences,
 * prefill new ones up to the batch limit) → execute (one decode step for every row) → update (sample, stream, finish).
 * New sequences join between decode steps; finished or cancelled ones leave before the next. Rows are padded to
 * the longest cache (left, or right where the graph's attention wants it, see {@link KvBlock}); the attention mask
 * hides the padding and each row keeps its own positions.
 */
final class BatchScheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BatchScheduler.class.getName());
    private final DecoderSession decoder;
    private final int maxBatch;
    private final int contextLength;
    private final long queueTimeoutNanos;
    private final LinkedBlockingDeque<Sequence> pending = new LinkedBlockingDeque<>();
    private final Thread thread;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong cachedTokens = new AtomicLong();
    private final AtomicLong prefills = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean cancelRows;
    private volatile IntConsumer stepObserver = batch -> { };

    /** The running batch: rows in order, and the past tensors that hold their caches. */
    private List<Sequence> rows = new ArrayList<>();
    private final BatchCache cache;

    /**
     * {@code contextLength}: no sequence ever holds more tokens (prompt and completion), whatever it asked for;
     * {@code queueTimeout}: the longest a sequence waits for a row (zero: no limit).
     */
    BatchScheduler(DecoderSession decoder, int maxBatch, int contextLength, Duration queueTimeout, String name) {
        this.decoder = decoder;
        this.maxBatch = maxBatch;
        this.contextLength = contextLength;
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.cache = new BatchCache(decoder);
        this.thread = Thread.ofPlatform().name("quiver-chat-" + name).daemon(true).unstarted(this::loop);
        thread.start();
    }

    void submit(Sequence sequence) {
        if (closed) {
            throw new IllegalStateException("chat engine is closed");
        }
        if (sequence.group().size() > maxBatch) {
            throw new InvalidRequestException("n", sequence.group().size() + " completions of one prompt cannot "
                    + "share a batch of " + maxBatch + " rows");
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
        // The rows belong to the scheduler thread: it cancels them itself.
        cancelRows = true;
    }

    int running() {
        return running.get();
    }

    int peakRunning() {
        return peak.get();
    }

    int waiting() {
        return pending.size();
    }

    long cachedTokens() {
        return cachedTokens.get();
    }

    /** Prompts prefilled so far (a group of n completions counts once). */
    long prefills() {
        return prefills.get();
    }

    private void loop() {
        while (!closed) {
            try {
                if (!schedule()) {
                    Sequence next = pending.poll(200, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        pending.putFirst(next);
                    }
                    continue;
                }
                decodeStep();
            } catch (InterruptedException e) {
                break;
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "chat batch step failed; failing its sequences", t);
                for (Sequence s : rows) {
                    finish(s, null, t);
                }
                rows = new ArrayList<>();
                cache.close();
            }
        }
        for (Sequence s : rows) {
            finish(s, FinishReason.CANCELLED, null);
        }
        rows = List.of();
        cache.close();
        Sequence s;
        while ((s = pending.poll()) != null) {
            completeGroup(s, FinishReason.CANCELLED);
        }
    }

    private static void completeGroup(Sequence lead, FinishReason reason) {
        lead.group().forEach(m -> m.complete(reason));
    }

    /** Drops finished and cancelled rows, admits new sequences; returns false when there is nothing to decode. */
    private boolean schedule() throws OrtException {
        List<Sequence> next = new ArrayList<>();
        List<Integer> oldRows = new ArrayList<>();
        boolean changed = false;
        boolean cancelEvery = cancelRows;
        cancelRows = false;
        for (int r = 0; r < rows.size(); r++) {
            Sequence s = rows.get(r);
            if (cancelEvery) {
                s.cancel();
            }
            if (s.cancelled() && !s.isDone()) {
                finish(s, FinishReason.CANCELLED, null);
            }
            if (s.isDone()) {
                changed = true;
            } else {
                next.add(s);
                oldRows.add(r);
            }
        }
        expireWaiting();
        int oldSize = rows.size();
        // From here on the batch is `next`: whatever throws below, the loop fails every sequence in it, the ones
        // that join included, so none can be left waiting.
        rows = next;
        List<KvBlock> joined = new ArrayList<>();
        Sequence s;
        while (next.size() < maxBatch && (s = pending.poll()) != null) {
            if (next.size() + s.group().size() > maxBatch) {
                // A group joins whole: it waits at the head for rows enough.
                pending.offerFirst(s);
                break;
            }
            List<Sequence> group = new ArrayList<>();
            for (Sequence m : s.group()) {
                if (m.cancelled()) {
                    m.complete(FinishReason.CANCELLED);
                } else {
                    group.add(m);
                }
            }
            if (group.isEmpty()) {
                continue;
            }
            next.addAll(group);
            KvBlock prefilled = prefill(group);
            // The group's rows share one prefilled cache; the ones that already ended leave.
            next.removeIf(m -> group.contains(m) && m.isDone());
            for (Sequence m : group) {
                if (!m.isDone()) {
                    joined.add(prefilled);
                    changed = true;
                }
            }
        }
        if (next.isEmpty()) {
            cache.close();
            return false;
        }
        if (changed) {
            cache.rebuild(next, oldRows, oldSize, joined);
        }
        return true;
    }

    /** Fails the sequences that waited for a row past the queue timeout (the oldest are at the head). */
    private void expireWaiting() {
        if (queueTimeoutNanos <= 0) {
            return;
        }
        long now = System.nanoTime();
        Sequence s;
        while ((s = pending.peek()) != null && now - s.queuedAt > queueTimeoutNanos) {
            if (pending.remove(s)) {
                QueueTimeoutException timeout = new QueueTimeoutException("batch row", (now - s.queuedAt) / 1_000_000);
                s.group().forEach(m -> m.fail(timeout));
            }
        }
    }

    /**
     * Runs a new prompt alone, once for its whole group (the completions of one prompt), and samples each member's
     * first token from the same logits with its own sampler; the cache they share, or null if all of them already
     * ended (finished, cancelled, or failed: whatever throws here ends this group alone).
     */
    private KvBlock prefill(List<Sequence> group) {
        Sequence lead = group.getFirst();
        group.forEach(m -> count(+1));
        int n = lead.prompt.length;
        if (n >= contextLength) {
            InvalidRequestException tooLong = new InvalidRequestException("messages", n + " prompt tokens leave no "
                    + "room for a completion in context length " + contextLength);
            group.forEach(m -> finish(m, null, tooLong));
            return null;
        }
        // The last line against a sequence outgrowing its context: it ends with LENGTH when the context is full.
        group.forEach(m -> m.limitTokens(contextLength - n));
        long[] ids = new long[n];
        long[] mask = new long[n];
        long[] positions = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = lead.prompt[i];
            mask[i] = 1;
            positions[i] = i;
        }
        OnnxTensor[] empty = new OnnxTensor[0];
        try {
            empty = KvBlock.empty(1, 2 * decoder.layers, decoder.layout).tensors(decoder.env());
        } catch (OrtException | RuntimeException | Error e) {
            group.forEach(m -> finish(m, null, e));
            return null;
        }
        boolean scoring = lead.scoresPrompt();
        prefills.incrementAndGet();
        try (DecoderSession.Step step = decoder.run(ids, mask, positions, 1, n, empty, scoring)) {
            int vocab = step.vocab;
            int offset = scoring ? (n - 1) * vocab : 0;
            List<TokenLogprob> scored = scoring ? lead.scorePrompt(step.logits, vocab) : null;
            boolean running = false;
            for (int j = 0; j < group.size(); j++) {
                Sequence m = group.get(j);
                m.cached = n;
                cachedTokens.addAndGet(n);
                try {
                    if (scoring) {
                        m.promptScored(scored);
                        if (m.promptOnly()) {
                            finish(m, FinishReason.LENGTH, null);
                            continue;
                        }
                    }
                    // Each sampler changes its row in place: all but the last member sample from a copy.
                    boolean last = j == group.size() - 1;
                    float[] row = last ? step.logits : Arrays.copyOfRange(step.logits, offset, offset + vocab);
                    boolean finished = m.step(row, last ? offset : 0, vocab);
                    if (finished || m.cancelled()) {
                        finish(m, m.endReason(), null);
                    } else {
                        running = true;
                    }
                } catch (RuntimeException e) {
                    finish(m, null, e);
                }
            }
            return running ? KvBlock.copyOf(step.presents, 1, n, decoder.layout) : null;
        } catch (OrtException | RuntimeException | Error e) {
            group.forEach(m -> finish(m, null, e));
            return null;
        } finally {
            BatchCache.closeAll(empty);
        }
    }

    void observeSteps(IntConsumer observer) {
        stepObserver = observer;
    }

    private void decodeStep() throws OrtException {
        int batch = rows.size();
        stepObserver.accept(batch);
        DecoderSession.Step step = cache.decode(rows);
        for (int r = 0; r < batch; r++) {
            Sequence s = rows.get(r);
            s.cached++;
            cachedTokens.incrementAndGet();
            if (s.isDone()) {
                continue;
            }
            boolean finished;
            try {
                finished = s.step(step.logits, r * step.vocab, step.vocab);
            } catch (RuntimeException e) {
                finish(s, null, e);
                continue;
            }
            if (finished) {
                finish(s, s.endReason(), null);
            }
        }
    }

    /** Ends a sequence (reason ignored if it already completed) and releases its slot and cache accounting. */
    private void finish(Sequence s, FinishReason reason, Throwable error) {
        if (s.cached >= 0) {
            cachedTokens.addAndGet(-s.cached);
            s.cached = -1;
            count(-1);
        }
        if (error != null) {
            s.fail(error);
        } else {
            s.complete(reason);
        }
    }

    private void count(int delta) {
        int now = running.addAndGet(delta);
        peak.accumulateAndGet(now, Math::max);
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
