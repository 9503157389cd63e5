package io.quiver.models.encoder;

import io.quiver.models.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * Dynamic batching: requests that arrive together run as one ONNX Runtime batch. Each of {@code concurrentBatches}
 * worker threads takes the first waiting request, keeps collecting for at most {@code maxDelay} or until
 * {@code maxBatch} inputs, then runs them (in batches of similar length, see {@link #batches}) and completes each
 * request's future. Two batches at once on one session: ONNX Runtime splits a small encoder's operators poorly
 * over the cores, and a second batch fills the gaps (measured in bench/README.md, the 2026-11-23 CPU changes).
 */
public final class EncoderBatcher implements Engine {
    private record Job(List<Encoding> inputs, CompletableFuture<float[][]> result) {
    }

    private final EncoderModel model;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers;
    private final AtomicInteger executing = new AtomicInteger();
    private final AtomicInteger peakExecuting = new AtomicInteger();
    private final LongAdder batches = new LongAdder();
    private volatile boolean closed;

    public EncoderBatcher(EncoderModel model, String name, int maxBatch, Duration maxDelay, int concurrentBatches) {
        if (maxBatch < 1 || concurrentBatches < 1) {
            throw new IllegalArgumentException(name + ": max-batch and concurrent-batches must be at least 1");
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelay.toNanos();
        this.workers = IntStream.range(0, concurrentBatches).mapToObj(i -> Thread.ofPlatform()
                .name("quiver-encoder-" + name + "-" + i).daemon().start(this::run)).toList();
    }

    public EncoderModel model() {
        return model;
    }

    /** Queues one request's inputs; the future completes with one output row per input, in order. */
    public CompletableFuture<float[][]> submit(List<Encoding> inputs) {
        CompletableFuture<float[][]> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(shutDown());
            return result;
        }
        Job job = new Job(List.copyOf(inputs), result);
        queue.add(job);
        if (closed && queue.remove(job)) {
            // close() may have drained the queue between the check and the add.
            result.completeExceptionally(shutDown());
        }
        return result;
    }

    /** Requests inside the engine right now (the batch being run); an independent check on the pod's cap. */
    public int executing() {
        return executing.get();
    }

    public int peakExecuting() {
        return peakExecuting.get();
    }

    public long batchesRun() {
        return batches.sum();
    }

    private void run() {
        while (!closed) {
            try {
                List<Job> jobs = collect();
                if (!jobs.isEmpty()) {
                    execute(jobs);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private List<Job> collect() throws InterruptedException {
        List<Job> jobs = new ArrayList<>();
        Job first = queue.take();
        jobs.add(first);
        int inputs = first.inputs().size();
        long deadline = System.nanoTime() + maxDelayNanos;
        try {
            while (inputs < maxBatch) {
                long left = deadline - System.nanoTime();
                Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                if (next == null) {
                    break;
                }
                jobs.add(next);
                inputs += next.inputs().size();
            }
        } catch (InterruptedException e) {
            // Closing while collecting: the jobs taken are no longer in the queue that close() ends.
            jobs.forEach(job -> job.result().completeExceptionally(shutDown()));
            throw e;
        }
        // A request whose client gave up is dropped before it costs any compute.
        jobs.removeIf(job -> job.result().isDone());
        return jobs;
    }

    private void execute(List<Job> jobs) {
        int now = executing.addAndGet(jobs.size());
        peakExecuting.accumulateAndGet(now, Math::max);
        try {
            List<Encoding> all = new ArrayList<>();
            jobs.forEach(job -> all.addAll(job.inputs()));
            float[][] rows = new float[all.size()][];
            for (int[] batch : batches(all.stream().mapToInt(Encoding::length).toArray(), maxBatch)) {
                if (jobs.stream().allMatch(job -> job.result().isDone())) {
                    return; // every client of this batch went away: stop computing for nobody
                }
                float[][] out = model.forward(Arrays.stream(batch).mapToObj(all::get).toList());
                for (int i = 0; i < batch.length; i++) {
                    rows[batch[i]] = out[i];
                }
                batches.increment();
            }
            int at = 0;
            for (Job job : jobs) {
                float[][] mine = new float[job.inputs().size()][];
                System.arraycopy(rows, at, mine, 0, mine.length);
                at += mine.length;
                job.result().complete(mine);
            }
        } catch (RuntimeException | Error e) {
            // Whatever throws (an OutOfMemoryError included), every job taken ends and the worker lives on.
            jobs.forEach(job -> job.result().completeExceptionally(e));
        } finally {
            executing.addAndGet(-jobs.size());
        }
    }

    /**
     * Splits inputs (given by their token counts) into ONNX Runtime batches of at most {@code maxBatch}, grouped
     * by length so that padding stays within a quarter of each batch's real tokens. Padded positions cost as much
     * as real ones, so one padded batch of mixed lengths can be slower than running the inputs one by one (measured
     * in bench/README.md, the 2026-11-23 CPU changes).
     *
     * @return indices into {@code lengths}, each batch in ascending length
     */
    static List<int[]> batches(int[] lengths, int maxBatch) {
        int[] order = IntStream.range(0, lengths.length).boxed()
                .sorted(Comparator.comparingInt(i -> lengths[i])).mapToInt(Integer::intValue).toArray();
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        long tokens = 0;
        for (int k = 0; k < order.length; k++) {
            int length = lengths[order[k]];
            int size = k - start;
            // Ascending order: this input sets the padded length if it joins.
            if (size == maxBatch || size > 0 && (size + 1L) * length * 4 > (tokens + length) * 5) {
                batches.add(Arrays.copyOfRange(order, start, k));
                start = k;
                tokens = 0;
            }
            tokens += length;
        }
        if (start < order.length) {
            batches.add(Arrays.copyOfRange(order, start, order.length));
        }
        return batches;
    }

    /** Queued requests are cancelled; batches already running finish (they take milliseconds). */
    @Override
    public void cancelAll() {
        queue.forEach(job -> job.result().cancel(false));
    }

    @Override
    public void close() {
        closed = true;
        // Interrupting stops a wait for work; a batch inside ONNX Runtime runs to its end before the session closes.
        workers.forEach(Thread::interrupt);
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        queue.forEach(job -> job.result().completeExceptionally(shutDown()));
        model.close();
    }

    private static IllegalStateException shutDown() {
        return new IllegalStateException("encoder is shut down");
    }

    /** Requests queued and not yet taken by a worker. */
    int queued() {
        return queue.size();
    }
}
