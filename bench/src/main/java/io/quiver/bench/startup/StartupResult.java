package io.quiver.bench.startup;

import io.quiver.bench.results.SmallSample;
import java.util.List;
import java.util.Map;

/**
 * Startup runs of the packaged server.
 *
 * @param runs per run: {@code ready} (process start → /health/ready 200), {@code first_answer} (→ first inference
 *             answered), and each phase the server reported ({@code log.<phase>}, {@code metric.<phase>}), in ms
 * @param summary the same keys over all runs
 */
public record StartupResult(String kind, String command, String firstRequest, List<Map<String, Double>> runs,
                            Map<String, SmallSample> summary) {
}
