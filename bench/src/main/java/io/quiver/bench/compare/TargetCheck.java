package io.quiver.bench.compare;

/**
 * A target that compares Quiver with itself in one run (long-prompt ITL against short-prompt ITL, running streams'
 * ITL while long prompts join against their steady ITL, TTFT on a prefix-cache hit against a miss), with the same
 * ratio measured on the peer where it ran the same scenario, for reference.
 *
 * @param quiver the ratio on Quiver (medians over the alternated rounds on each side of it)
 * @param peer   the same ratio on the peer, or null
 * @param limit  the bound {@code quiver} must keep
 * @param atMost whether {@code quiver ≤ limit} (else {@code ≥})
 */
public record TargetCheck(String name, String measure, double quiver, Double peer, double limit, boolean atMost) {

    public boolean met() {
        return quiver > 0 && (atMost ? quiver <= limit : quiver >= limit);
    }

    public String rule() {
        return (atMost ? "≤ " : "≥ ") + limit + "×";
    }
}
