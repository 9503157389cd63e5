package io.quiver.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.bench.results.LatencyHistogram;
import io.quiver.bench.results.LevelResult;
import io.quiver.bench.results.SmallSample;
import io.quiver.bench.results.Summary;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryMathTest {

    @Test
    void histogramPercentilesOfOneToAThousandMilliseconds() {
        LatencyHistogram h = new LatencyHistogram();
        for (int ms = 1; ms <= 1000; ms++) {
            h.recordNanos(ms * 1_000_000L);
        }
        Summary s = h.summary();
        assertEquals(1000, s.count());
        assertEquals(500.5, s.mean(), 0.5);
        assertEquals(500, s.p50(), 0.5); // 3 significant digits: within 0.1 %
        assertEquals(900, s.p90(), 0.9);
        assertEquals(990, s.p99(), 1.0);
        assertEquals(1000, s.max(), 1.0);
        assertEquals(100.0, s.cdf().getLast()[0]);
        assertEquals(1.0, s.cdf().getFirst()[1], 0.01);
    }

    @Test
    void emptyHistogramSummarisesToZeros() {
        assertEquals(Summary.empty(), new LatencyHistogram().summary());
    }

    @Test
    void smallSampleInterpolatesLikeNumpy() {
        SmallSample s = SmallSample.of(List.of(5.0, 1.0, 4.0, 2.0, 3.0));
        assertEquals(3.0, s.median());
        assertEquals(4.6, s.p90(), 1e-9); // numpy.percentile([1..5], 90) = 4.6
        assertEquals(1.0, s.min());
        assertEquals(5.0, s.max());
        assertEquals(2.5, SmallSample.of(List.of(1.0, 2.0, 3.0, 4.0)).median());
        assertEquals(7.0, SmallSample.of(List.of(7.0)).p90());
    }

    @Test
    void levelRecorderDerivesRatesAndPerStreamSpeed() {
        LevelRecorder r = new LevelRecorder();
        // 2 requests, each: TTFT 100 ms, 11 tokens, e2e 1100 ms → 100 ms per later token = 10 tokens/s per stream
        for (int i = 0; i < 2; i++) {
            r.record(new Outcome(200, null, 100_000_000L, 1_100_000_000L, new long[] {100_000_000L}, 11, 7));
        }
        r.record(Outcome.failed(503, "HTTP 503", 1_000_000L));
        r.record(Outcome.failed(0, "refused", 1_000_000L));
        LevelResult l = r.result(2, 2.0);
        assertEquals(4, l.requests());
        assertEquals(2, l.ok());
        assertEquals(1.0, l.requestsPerSecond());
        assertEquals(11.0, l.outputTokensPerSecond());
        assertEquals(10.0, l.streamTokensPerSecond(), 0.05);
        assertEquals(100.0, l.tpot().p50(), 0.1);
        assertEquals(14, l.promptTokens());
        assertEquals(java.util.Map.of("503", 1L, "io", 1L), l.errors());
    }

    @Test
    void closedLoopStopsAtTheRequestBudget() {
        LevelResult l = ClosedLoop.run(4, Duration.ofMinutes(1), 10, 0,
                i -> new Outcome(200, null, 0, 1_000, new long[0], 0, 0));
        assertEquals(10, l.requests());
        assertEquals(10, l.ok());
    }

    @Test
    void durationsParse() {
        assertEquals(Duration.ofSeconds(30), LoadCommand.Durations.parse("30s"));
        assertEquals(Duration.ofMinutes(2), LoadCommand.Durations.parse("2m"));
        assertEquals(Duration.ofMillis(500), LoadCommand.Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(7), LoadCommand.Durations.parse("7"));
        assertEquals(Duration.ofMinutes(30), LoadCommand.Durations.parse("PT30M"));
    }
}
