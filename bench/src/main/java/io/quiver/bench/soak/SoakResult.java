package io.quiver.bench.soak;

import io.quiver.bench.results.LevelResult;
import java.util.List;
import java.util.Map;

/**
 * A soak: load for a while, the server sampled along the way, and whether anything grew.
 *
 * @param levels what the growth compares: first and last third's RSS and allocation rate, decode steps in all
 */
public record SoakResult(String kind, String label, String target, String route, double minutes, String verdict,
                         Map<String, Double> growth, Map<String, Double> levels, List<String> failures, LevelResult load,
                         List<ProcessSample> samples) {
}
