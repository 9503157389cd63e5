package io.quiver.models.chat;

import java.time.Duration;

/**
 * What compiling a structured-output grammar may cost, and what one engine's compiled grammars may hold. A request
 * over a limit is refused with a 400 that names it.
 *
 * @param maxStates      states of a compiled automaton; the automata a compile builds on the way may have 4 × as many
 * @param maxRepeat      the largest count a schema or a regular expression may ask for: {@code minLength},
 *                       {@code maxLength}, {@code minItems}, {@code maxItems}, {@code {n,m}}
 * @param cacheBytes     bytes one engine's compiled grammars may hold: their tables and, as decoding computes them,
 *                       the per-state token sets
 * @param compileTimeout the longest one compile may run
 * @param compileThreads threads that compile one engine's grammars (beside, never on, the request threads)
 */
public record GrammarLimits(int maxStates, int maxRepeat, long cacheBytes, Duration compileTimeout,
                            int compileThreads) {
    /** Setting names, for the refusals' messages. */
    static final String MAX_STATES = "quiver.structured-outputs.max-states";
    static final String MAX_REPEAT = "quiver.structured-outputs.max-repeat";
    static final String CACHE_SIZE = "quiver.structured-outputs.cache-size";
    static final String COMPILE_TIMEOUT = "quiver.structured-outputs.compile-timeout";
    /** How many times a compiled automaton's states the automata built on the way may have. */
    static final int BUILD_FACTOR = 4;

    public GrammarLimits {
        if (maxStates < 1 || maxRepeat < 1 || cacheBytes < 1 || compileThreads < 1) {
            throw new IllegalArgumentException("grammar limits must be positive: " + maxStates + " states, "
                    + maxRepeat + " repeats, " + cacheBytes + " bytes, " + compileThreads + " threads");
        }
        if (compileTimeout == null || compileTimeout.isNegative() || compileTimeout.isZero()) {
            throw new IllegalArgumentException("compileTimeout must be positive, was " + compileTimeout);
        }
    }

    /** The runtime's defaults (see docs/api.md, Limits). */
    public static GrammarLimits defaults() {
        return new GrammarLimits(20_000, 4_096, 128L << 20, Duration.ofSeconds(10), 1);
    }

    public GrammarLimits withMaxStates(int states) {
        return new GrammarLimits(states, maxRepeat, cacheBytes, compileTimeout, compileThreads);
    }

    public GrammarLimits withCacheBytes(long bytes) {
        return new GrammarLimits(maxStates, maxRepeat, bytes, compileTimeout, compileThreads);
    }

    public GrammarLimits withCompileTimeout(Duration timeout) {
        return new GrammarLimits(maxStates, maxRepeat, cacheBytes, timeout, compileThreads);
    }

    /** States an automaton built on the way may have. */
    long buildStates() {
        return (long) BUILD_FACTOR * maxStates;
    }
}
