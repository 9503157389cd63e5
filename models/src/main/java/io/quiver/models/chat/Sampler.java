package io.quiver.models.chat;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Chooses one sequence's next token from its logits: penalties (repetition over prompt and completion; presence and
 * frequency over the completion), then greedy argmax at temperature 0, else temperature, top-k, top-p (on the top-k
 * mass), min-p and a draw from the sequence's own seeded generator — so a seed reproduces a completion no matter
 * which other sequences share the batch. Runs on the scheduler thread only.
 */
final class Sampler {
    private static final double GREEDY_BELOW = 1e-5;
    private final SamplingParams params;
    private final SplittableRandom random;
    private final BitSet seen = new BitSet();
    private final Map<Integer, Integer> counts = new HashMap<>();

    /** {@code params} must be resolved (no nulls but the seed). */
    Sampler(SamplingParams params, int[] prompt) {
        this.params = params;
        this.random = params.seed() != null ? new SplittableRandom(params.seed()) : new SplittableRandom();
        for (int id : prompt) {
            seen.set(id);
        }
    }

    /** Records a chosen token (for the penalties). */
    void accept(int token) {
        seen.set(token);
        counts.merge(token, 1, Integer::sum);
    }

    /** The next token from {@code logits[offset, offset + vocab)}; the row is modified in place. */
    int sample(float[] logits, int offset, int vocab) {
        penalize(logits, offset, vocab);
        if (params.temperature() < GREEDY_BELOW || params.topK() == 1) {
            return argmax(logits, offset, vocab);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        // Unnormalised probabilities relative to the top token (which gets 1), in place.
        double invT = 1.0 / params.temperature();
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            float p = (float) Math.exp((logits[offset + i] - max) * invT);
            logits[offset + i] = p;
            sum += p;
        }
        int topK = params.topK() > 0 ? Math.min(params.topK(), vocab) : 0;
        double topP = params.topP();
        double minP = params.minP();
        if (topK == 0 && topP >= 1.0 && minP <= 0) {
            return draw(logits, offset, vocab, sum);
        }
        long[] candidates = candidates(logits, offset, vocab, sum, topK, topP, minP);
        Arrays.sort(candidates);
        int n = candidates.length;
        int keep = topK > 0 ? Math.min(topK, n) : n;
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += prob(candidates[n - 1 - i]);
        }
        if (topP < 1.0) {
            double cumulative = 0;
            int nucleus = 0;
            while (nucleus < keep && cumulative < topP * kept) {
                cumulative += prob(candidates[n - 1 - nucleus]);
                nucleus++;
            }
            keep = Math.max(1, nucleus);
        }
        if (minP > 0) {
            int above = 0;
            while (above < keep && prob(candidates[n - 1 - above]) >= minP) {
                above++;
            }
            keep = Math.max(1, above);
        }
        double mass = 0;
        for (int i = 0; i < keep; i++) {
            mass += prob(candidates[n - 1 - i]);
        }
        double r = random.nextDouble() * mass;
        for (int i = 0; i < keep; i++) {
            r -= prob(candidates[n - 1 - i]);
            if (r < 0) {
                return index(candidates[n - 1 - i]);
            }
        }
        return index(candidates[n - keep]);
    }

    private void penalize(float[] logits, int offset, int vocab) {
        double repetition = params.repetitionPenalty();
        if (repetition != 1.0) {
            for (int id = seen.nextSetBit(0); id >= 0 && id < vocab; id = seen.nextSetBit(id + 1)) {
                float l = logits[offset + id];
                logits[offset + id] = (float) (l > 0 ? l / repetition : l * repetition);
            }
        }
        if (params.presencePenalty() != 0 || params.frequencyPenalty() != 0) {
            for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                if (e.getKey() < vocab) {
                    logits[offset + e.getKey()] -= (float) (params.frequencyPenalty() * e.getValue()
                            + params.presencePenalty());
                }
            }
        }
    }

    /**
     * Tokens that can survive the filters, packed as (probability bits, index) so a sort orders them by probability.
     * Lowers a threshold until the tokens above it hold the top-k or the top-p mass; tokens below can never be kept.
     */
    private static long[] candidates(float[] p, int offset, int vocab, double sum, int topK, double topP, double minP) {
        double floor = Math.max(minP, 0);
        double threshold = Math.max(floor, 1e-3);
        while (true) {
            int count = 0;
            double mass = 0;
            for (int i = 0; i < vocab; i++) {
                if (p[offset + i] >= threshold) {
                    count++;
                    mass += p[offset + i];
                }
            }
            boolean enough = topK > 0 ? count >= topK : topP >= 1.0 || mass >= topP * sum;
            if (enough || threshold <= floor) {
                long[] out = new long[count];
                int at = 0;
                for (int i = 0; i < vocab; i++) {
                    float v = p[offset + i];
                    if (v >= threshold) {
                        out[at++] = ((long) Float.floatToIntBits(v) << 32) | i;
                    }
                }
                return out;
            }
            threshold = threshold / 1000 < 1e-30 ? floor : Math.max(floor, threshold / 1000);
        }
    }

    private int draw(float[] p, int offset, int vocab, double sum) {
        double r = random.nextDouble() * sum;
        for (int i = 0; i < vocab; i++) {
            r -= p[offset + i];
            if (r < 0) {
                return i;
            }
        }
        return argmax(p, offset, vocab);
    }

    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    private static float prob(long packed) {
        return Float.intBitsToFloat((int) (packed >>> 32));
    }

    private static int index(long packed) {
        return (int) (packed & 0xffffffffL);
    }
}
