package io.quiver.bench.load;

import io.quiver.bench.results.LatencyHistogram;
import io.quiver.bench.results.LevelResult;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Accumulates the outcomes of one concurrency level from many threads. */
public final class LevelRecorder {
    private final LatencyHistogram ttft = new LatencyHistogram();
    private final LatencyHistogram itl = new LatencyHistogram();
    private final LatencyHistogram tpot = new LatencyHistogram();
    private final LatencyHistogram e2e = new LatencyHistogram();
    /** Per-request tokens/s × 1000, in a histogram so that its median is cheap. */
    private final LatencyHistogram streamRate = new LatencyHistogram();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final AtomicLong outputTokens = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private volatile String firstError;

    public void record(Outcome o) {
        requests.increment();
        if (!o.ok()) {
            errors.computeIfAbsent(o.errorKey(), k -> new LongAdder()).increment();
            if (firstError == null) {
                firstError = o.error();
            }
            return;
        }
        ok.increment();
        e2e.recordNanos(o.e2eNanos());
        if (o.ttftNanos() >= 0) {
            ttft.recordNanos(o.ttftNanos());
        }
        for (long gap : o.gapsNanos()) {
            itl.recordNanos(gap);
        }
        double perToken = o.tpotNanos();
        if (perToken > 0) {
            tpot.recordNanos((long) perToken);
            streamRate.recordMicros((long) (1e12 / perToken)); // tokens/s × 1000
        }
        outputTokens.addAndGet(o.outputTokens());
        promptTokens.addAndGet(o.promptTokens());
    }

    public String firstError() {
        return firstError;
    }

    public LevelResult result(int concurrency, double seconds) {
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
        double streamTps = streamRate.count() == 0 ? 0 : streamRate.summary().p50(); // ms units = tokens/s
        return new LevelResult(concurrency, seconds, requests.sum(), ok.sum(), errorCounts,
                ok.sum() / seconds, outputTokens.get() / seconds, streamTps, outputTokens.get(), promptTokens.get(),
                ttft.summary(), itl.summary(), tpot.summary(), e2e.summary());
    }
}
