package io.quiver.bench.results;

import java.util.List;

/** A load run: the settings and one entry per concurrency level. */
public record LoadResult(String kind, String label, String target, String route, String model, boolean stream,
                         String promptSet, int maxTokens, String startedAt, List<LevelResult> levels) {
}
