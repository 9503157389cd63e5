package io.quiver.bench.compare;

import java.util.List;
import java.util.Map;

/** Every ratio of one compare run, with the settings that produced them. */
public record CompareResult(String kind, String startedAt, Map<String, String> settings, List<PairResult> pairs,
                            String notes) {
}
