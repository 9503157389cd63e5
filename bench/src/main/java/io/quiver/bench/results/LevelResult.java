package io.quiver.bench.results;

import java.util.Map;

/**
 * One concurrency level of a load run.
 *
 * @param outputTokensPerSecond all output tokens of the level divided by its wall time (server throughput)
 * @param streamTokensPerSecond per-request output tokens / (e2e − TTFT), the median over requests (what a reader
 *                              of one stream sees)
 */
public record LevelResult(int concurrency, double seconds, long requests, long ok, Map<String, Long> errors,
                          double requestsPerSecond, double outputTokensPerSecond, double streamTokensPerSecond,
                          long outputTokens, long promptTokens, Summary ttft, Summary itl, Summary tpot,
                          Summary e2e) {
}
