package io.quiver.bench.load;

import io.quiver.bench.results.LevelResult;

/** One console line per level, the numbers a reader scans for. */
public final class LevelLine {
    private LevelLine() {
    }

    public static String format(LevelResult l, boolean generates) {
        String base = String.format("c=%-3d req=%-6d ok=%-6d %7.2f req/s  e2e p50 %8.1f ms p99 %8.1f ms",
                l.concurrency(), l.requests(), l.ok(), l.requestsPerSecond(), l.e2e().p50(), l.e2e().p99());
        if (!generates) {
            return base + errors(l);
        }
        return base + String.format("  ttft p50 %7.1f ms p99 %7.1f  itl p50 %6.1f ms  %7.1f tok/s (%.1f per stream)",
                l.ttft().p50(), l.ttft().p99(), l.itl().p50(), l.outputTokensPerSecond(), l.streamTokensPerSecond())
                + errors(l);
    }

    private static String errors(LevelResult l) {
        return l.errors().isEmpty() ? "" : "  errors " + l.errors();
    }
}
