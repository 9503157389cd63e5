package io.quiver.models.diffusion;

import io.quiver.models.Engine;
import io.quiver.models.QueueTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Runs a pipeline's requests one at a time on its own platform thread: ONNX Runtime already spreads each UNet step
 * over every core, so running images side by side would only make each slower. Request threads never run the
 * model; cancelling a returned future interrupts the generation at its next denoising step.
 */
public final class DiffusionWorker implements Engine {
    /** Native graph execution needs more stack than the JVM's default thread size. */
    private static final long STACK_BYTES = 16L << 20;

    private final DiffusionPipeline pipeline;
    private final ExecutorService thread;
    private final long queueTimeoutNanos;
    /** Generations queued or running, for {@link #cancelAll}. */
    private final Set<Future<?>> live = ConcurrentHashMap.newKeySet();

    public DiffusionWorker(DiffusionPipeline pipeline, String name) {
        this(pipeline, name, Duration.ZERO);
    }

    /**
     * {@code queueTimeout}: the longest a request waits behind others for the worker before it fails with
     * {@link QueueTimeoutException} (zero: as long as it takes).
     */
    public DiffusionWorker(DiffusionPipeline pipeline, String name, Duration queueTimeout) {
        this.pipeline = pipeline;
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("quiver-diffusion-" + name)
                .stackSize(STACK_BYTES).daemon(true).factory());
    }

    public DiffusionPipeline pipeline() {
        return pipeline;
    }

    /**
     * Checks the request (throwing {@link io.quiver.models.InvalidRequestException} before anything is queued) and
     * queues it; the future holds the PNG bytes of each image.
     */
    public Future<List<byte[]>> submit(ImageRequest request, StepListener listener) {
        pipeline.validate(request);
        long queued = System.nanoTime();
        FutureTask<List<byte[]>> task = new FutureTask<>(() -> {
            long waited = System.nanoTime() - queued;
            if (queueTimeoutNanos > 0 && waited > queueTimeoutNanos) {
                throw new QueueTimeoutException("diffusion worker", waited / 1_000_000);
            }
            return pipeline.generate(request, (step, total) -> {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("image generation cancelled");
                }
                listener.onStep(step, total);
            });
        }) {
            @Override
            protected void done() {
                live.remove(this);
            }
        };
        live.add(task);
        thread.execute(task);
        return task;
    }

    /** The running generation stops at its next step, queued ones never start; their callers see them cancelled. */
    @Override
    public void cancelAll() {
        live.forEach(task -> task.cancel(true));
    }

    /** Cancels queued work, lets the running generation stop at its next step, then frees the sessions. */
    @Override
    public void close() {
        // Queued work never runs now: cancel it, so nobody waits on it.
        for (Runnable queued : thread.shutdownNow()) {
            if (queued instanceof Future<?> future) {
                future.cancel(false);
            }
        }
        boolean interrupted = false;
        while (!thread.isTerminated()) {
            try {
                thread.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        pipeline.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
