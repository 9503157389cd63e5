package io.quiver.models.chat;

/**
 * How many prompt tokens a step may prefill while rows decode. The running rows wait for a step's prompt chunks, so
 * those chunks get at most {@code stall} times what a decode step takes (Sarathi-Serve's stall-free batching, with
 * the budget counted in time rather than in tokens): the chunk size follows from the times the last steps took, and
 * so shrinks as a long prompt's later positions, which attend to more of it, cost more. With no row decoding nobody
 * waits, and a step prefills the whole {@code prefill-chunk}.
 */
final class PrefillPace {
    /** The smallest paced chunk: below it a prefill run's fixed cost outweighs its tokens. */
    static final int MIN_TOKENS = 16;
    /** The weight of the newest decode step in the running average. */
    private static final double WEIGHT = 0.25;
    private final int maxTokens;
    private final double stall;
    private double decodeNanos;
    private int tokens;

    /**
     * @param maxTokens the chunk with no row decoding ({@code prefill-chunk}), and the paced chunk's ceiling
     * @param stall     the longest a step's chunks may take as a multiple of a decode step; 0 paces nothing
     */
    PrefillPace(int maxTokens, double stall) {
        if (maxTokens < 1 || stall < 0 || Double.isNaN(stall)) {
            throw new IllegalArgumentException("maxTokens must be at least 1 and stall 0 or more, were "
                    + maxTokens + " and " + stall);
        }
        this.maxTokens = maxTokens;
        this.stall = stall;
        this.tokens = Math.min(maxTokens, MIN_TOKENS);
    }

    /** Prompt tokens the next step may prefill while rows decode. */
    int tokens() {
        return stall == 0 ? maxTokens : tokens;
    }

    /** A decode step took {@code nanos}. */
    void decoded(long nanos) {
        decodeNanos = decodeNanos == 0 ? nanos : decodeNanos + WEIGHT * (nanos - decodeNanos);
    }

    /**
     * A step's chunks, {@code count} prompt tokens, took {@code nanos} while rows waited to decode. Only a step that
     * used its whole budget teaches the pace: a prompt's short last chunk would make a token look dearer than it is.
     */
    void prefilled(int count, long nanos) {
        if (stall == 0 || decodeNanos == 0 || nanos <= 0 || count < tokens) {
            return;
        }
        double fits = count * stall * decodeNanos / nanos;
        // At most twice as many as this step: one cheap chunk does not jump straight to the largest.
        tokens = (int) Math.max(Math.min(maxTokens, MIN_TOKENS), Math.min(Math.min(maxTokens, 2.0 * count), fits));
    }
}
