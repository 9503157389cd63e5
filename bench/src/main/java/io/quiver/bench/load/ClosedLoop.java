package io.quiver.bench.load;

import io.quiver.bench.results.LevelResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop level: {@code concurrency} clients, each sending its next request as soon as the previous one ends,
 * until the duration is over or the request budget is spent. Closed loop because that is how Knative's
 * containerConcurrency is defined and how users compare servers ("8 concurrent streams").
 */
public final class ClosedLoop {

    /** One request of any kind (over HTTP or in process); {@code index} picks the prompt. */
    @FunctionalInterface
    public interface Call {
        Outcome call(long index);
    }

    private ClosedLoop() {
    }

    /**
     * Runs one level. {@code requests} > 0 bounds the number of requests (then {@code duration} only caps the time).
     * {@code warmup} requests per client run first and are not recorded.
     */
    public static LevelResult run(int concurrency, Duration duration, long requests, int warmup, Call call) {
        for (int w = 0; w < warmup; w++) {
            parallel(concurrency, client -> call.call(client));
        }
        LevelRecorder recorder = new LevelRecorder();
        AtomicLong issued = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        parallel(concurrency, client -> {
            while (System.nanoTime() < deadline) {
                long i = issued.getAndIncrement();
                if (requests > 0 && i >= requests) {
                    return;
                }
                recorder.record(call.call(i));
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        LevelResult result = recorder.result(concurrency, seconds);
        if (recorder.firstError() != null) {
            System.err.printf("  concurrency %d: %s errors, first: %s%n", concurrency, result.errors(),
                    recorder.firstError());
        }
        return result;
    }

    /** Runs {@code body(client)} on {@code n} virtual threads and waits for all. */
    static void parallel(int n, java.util.function.IntConsumer body) {
        List<Thread> threads = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            int client = c;
            threads.add(Thread.ofVirtual().name("bench-client-" + c).start(() -> body.accept(client)));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
