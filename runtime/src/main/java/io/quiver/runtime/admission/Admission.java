package io.quiver.runtime.admission;

import io.micrometer.core.instrument.Tags;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.metrics.QuiverMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The pod's hard cap on executing inference work, shared by every inference route: each request takes one slot per
 * row of work it runs at once (a completions request with k prompts takes k). Past the cap a request
 * waits in a bounded FIFO queue (a fair semaphore); past the queue, past the wait, or while draining, it is turned
 * away at once with 503 (or 429) and a Retry-After estimated from each model's recent service times and the work
 * ahead ({@link ServiceTimes}).
 * Callers wait on virtual threads, so a waiting request costs no platform thread; interrupting the waiter
 * (the client went away) takes it out of the queue.
 */
@ApplicationScoped
public class Admission {
    private static final Logger LOG = Logger.getLogger(Admission.class);
    private static final String DRAINING = "The server is shutting down; retry on another replica";

    private final Semaphore slots;
    private final int max;
    private final int queueSize;
    private final long queueTimeoutNanos;
    private final int rejectStatus;
    private final QuiverMetrics metrics;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Map<String, Counts> perModel = new ConcurrentHashMap<>();
    private final ServiceTimes times;
    private final ConcurrencyAverage average;
    private volatile boolean draining;
    private volatile boolean cutOff;
    /** Threads waiting for a slot, so that the end of the drain can turn them away. */
    private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();

    /** Per model: requests running and waiting, the batch rows of those waiting, and the busy time. */
    private record Counts(AtomicInteger running, AtomicInteger waiting, AtomicInteger waitingRows, BusyClock busy) {
    }

    @jakarta.inject.Inject
    public Admission(QuiverConfig config, QuiverMetrics metrics) {
        this(config.concurrency().max(), config.concurrency().queueSize(), config.concurrency().queueTimeout(),
                config.concurrency().rejectStatus(), config.concurrency().averageWindow(), metrics);
    }

    Admission(int max, int queueSize, Duration queueTimeout, int rejectStatus, Duration averageWindow,
              QuiverMetrics metrics) {
        if (max < 1) {
            throw new IllegalArgumentException("quiver.concurrency.max must be at least 1, was " + max);
        }
        this.max = max;
        this.slots = new Semaphore(max, true);
        this.times = new ServiceTimes(max);
        this.queueSize = queueSize;
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.rejectStatus = rejectStatus == 429 ? 429 : 503;
        this.metrics = metrics;
        this.average = new ConcurrencyAverage((int) averageWindow.toSeconds(), System.nanoTime());
        metrics.gauge("quiver.concurrency.average", "Time-weighted average in-flight requests over the window",
                Tags.empty(), () -> average.average(System.nanoTime()));
        metrics.gauge("quiver.concurrency.limit", "The pod's cap on executing requests", Tags.empty(), () -> max);
        LOG.infof("admission: cap %d running, queue %d, queue timeout %d ms, reject with %d", max, queueSize,
                queueTimeout.toMillis(), this.rejectStatus);
    }

    /** {@link #admit(String, int)} for a request that runs one row of work. */
    public Permit admit(String model) {
        return admit(model, 1);
    }

    /**
     * Waits for {@code rows} slots, one per row of work the request runs at once (the prompts of a completions
     * request), in FIFO order. Returns a permit to close when the request is done; throws a 503/429
     * {@link ApiException} when the pod cannot take the request, or {@link ClientGoneException} when the caller was
     * interrupted.
     *
     * @throws IllegalArgumentException when {@code rows} is not in [1, the cap]; callers refuse such requests first
     */
    public Permit admit(String model, int rows) {
        if (rows < 1 || rows > max) {
            throw new IllegalArgumentException("a request takes 1 to " + max + " slots, not " + rows);
        }
        if (draining) {
            throw reject(model, "draining", DRAINING);
        }
        Counts counts = counts(model);
        long start = System.nanoTime();
        inFlight(1);
        boolean admitted = false;
        try {
            if (!slots.tryAcquire(rows, 0, TimeUnit.NANOSECONDS)) {
                if (waiting.incrementAndGet() > queueSize) {
                    waiting.decrementAndGet();
                    throw reject(model, "queue_full", "The server is at capacity (" + max + " running, " + queueSize
                            + " waiting); retry later");
                }
                awaitSlots(model, rows, counts);
            }
            admitted = true;
        } catch (InterruptedException e) {
            if (cutOff) {
                throw reject(model, "draining", DRAINING);
            }
            metrics.rejected(model, "client_gone");
            throw new ClientGoneException();
        } finally {
            if (!admitted) {
                inFlight(-1);
            }
        }
        long now = System.nanoTime();
        metrics.queued(model, now - start);
        running.incrementAndGet();
        counts.running().incrementAndGet();
        counts.busy().enter(now);
        ServiceTimes.Work work = times.runs(model, rows, now);
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                long end = System.nanoTime();
                running.decrementAndGet();
                counts.running().decrementAndGet();
                counts.busy().exit(end);
                inFlight(-1);
                times.finished(work, end);
                slots.release(rows);
            }
        };
    }

    /** Waits in the queue (counted in {@link #waiting}) for {@code rows} slots, or throws why not. */
    private void awaitSlots(String model, int rows, Counts counts) throws InterruptedException {
        counts.waiting().incrementAndGet();
        counts.waitingRows().addAndGet(rows);
        waiters.add(Thread.currentThread());
        ServiceTimes.Work work = times.waits(model, rows, System.nanoTime());
        boolean acquired;
        try {
            if (cutOff) {
                throw new InterruptedException("cut off");
            }
            acquired = slots.tryAcquire(rows, queueTimeoutNanos, TimeUnit.NANOSECONDS);
        } finally {
            times.stopsWaiting(work);
            waiters.remove(Thread.currentThread());
            waiting.decrementAndGet();
            counts.waiting().decrementAndGet();
            counts.waitingRows().addAndGet(-rows);
        }
        if (!acquired) {
            // Refused once out of the queue, so that the estimate counts only the work ahead of a retry.
            throw reject(model, "queue_timeout", "No slot freed within the queue timeout; retry later");
        }
    }

    private void inFlight(int delta) {
        average.change(delta, System.nanoTime());
    }

    /** A request the model's engine could not start within the queue timeout: refused like one admission could not. */
    public ApiException engineQueueTimeout(String model) {
        return reject(model, "queue_timeout", "No batch row freed within the queue timeout; retry later");
    }

    /**
     * A refusal with its Retry-After: while draining, 1 (another replica can take it now); otherwise the seconds
     * until the work running and waiting would have freed a slot ({@link ServiceTimes}).
     */
    private ApiException reject(String model, String reason, String message) {
        metrics.rejected(model, reason);
        int retryAfter = draining ? 1 : times.secondsUntilFree(System.nanoTime());
        return new ApiException(rejectStatus, "server_overloaded", null, reason, message,
                Map.of("Retry-After", String.valueOf(retryAfter)));
    }

    private Counts counts(String model) {
        return perModel.computeIfAbsent(model, m -> {
            Counts c = new Counts(new AtomicInteger(), new AtomicInteger(), new AtomicInteger(),
                    new BusyClock());
            metrics.gauge("quiver.requests.running", "Inference requests executing", Tags.of("model", m),
                    () -> c.running().get());
            metrics.gauge("quiver.requests.waiting", "Inference requests waiting for a slot", Tags.of("model", m),
                    () -> c.waiting().get());
            return c;
        });
    }

    /** Registers the gauges of a model before its first request, so dashboards see zeros rather than nothing. */
    public void register(String model) {
        counts(model);
    }

    /** From now on every new request is turned away; in-flight ones go on. */
    public void startDraining() {
        draining = true;
    }

    /** The end of the drain: requests still waiting for a slot are turned away now (503 draining). */
    public void cutOff() {
        cutOff = true;
        waiters.forEach(Thread::interrupt);
    }

    public boolean draining() {
        return draining;
    }

    /** Seconds during which at least one request of {@code model} was executing. */
    public double busySeconds(String model) {
        return counts(model).busy().busyNanos(System.nanoTime()) / 1e9;
    }

    public int running() {
        return running.get();
    }

    /** Batch rows (prompts × n) that the requests of {@code model} waiting for slots will run. */
    public int waitingRows(String model) {
        return counts(model).waitingRows().get();
    }

    public int waiting() {
        return waiting.get();
    }

    public int max() {
        return max;
    }

    /** The status turned-away requests get: 503, or 429 when so configured. */
    public int rejectStatus() {
        return rejectStatus;
    }
}
