package io.quiver.bench.compare;

import java.util.List;
import java.util.Map;

/**
 * Every ratio of one compare run, with the settings that produced them.
 *
 * @param unavailable peers that could not start, with why (the report lists them)
 * @param checks      targets Quiver is held to against itself in the same run (servers suite)
 */
public record CompareResult(String kind, String startedAt, Map<String, String> settings, List<PairResult> pairs,
                            String notes, Map<String, String> unavailable, List<TargetCheck> checks) {
}
