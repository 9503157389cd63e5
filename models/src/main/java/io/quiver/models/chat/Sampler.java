package io.quiver.models.chat;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Chooses one sequence's next token from its logits: penalties (repetition over prompt and completion; presence and
 * frequency over the completion), then greedy argmax at temperature 0, else temperature, top-k, top-p (on the top-k
 * mass, or on the whole distribution without top-k) and min-p, as transformers' warpers do it and in their order,
 * and a draw from the sequence's own seeded generator — so a seed reproduces a completion no matter which other
 * sequences share the batch. Runs on the scheduler thread only.
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
        double sum = probabilities(logits, offset, vocab);
        if (params.topK() <= 0 && params.topP() >= 1.0 && params.minP() <= 0) {
            return draw(logits, offset, vocab, sum);
        }
        int[] kept = keep(logits, offset, vocab, sum);
        double mass = 0;
        for (int id : kept) {
            mass += logits[offset + id];
        }
        double r = random.nextDouble() * mass;
        for (int id : kept) {
            r -= logits[offset + id];
            if (r < 0) {
                return id;
            }
        }
        return kept[kept.length - 1];
    }

    /** The tokens temperature, top-k, top-p and min-p leave to draw from, most probable first (row modified). */
    int[] filter(float[] logits, int offset, int vocab) {
        return keep(logits, offset, vocab, probabilities(logits, offset, vocab));
    }

    /**
     * Turns a row of logits into probabilities relative to the top token (which gets 1), at the temperature, in
     * place; returns their sum.
     */
    private double probabilities(float[] logits, int offset, int vocab) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double invT = 1.0 / params.temperature();
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            float p = (float) Math.exp((logits[offset + i] - max) * invT);
            logits[offset + i] = p;
            sum += p;
        }
        return sum;
    }

    /** The ids top-k, then top-p, then min-p keep from relative probabilities summing to {@code sum}. */
    private int[] keep(float[] p, int offset, int vocab, double sum) {
        int topK = params.topK() > 0 ? Math.min(params.topK(), vocab) : 0;
        double topP = params.topP();
        double minP = params.minP();
        long[] candidates = candidates(p, offset, vocab, sum, topK, topP, minP);
        Arrays.sort(candidates);
        int n = candidates.length;
        int keep = topK > 0 ? Math.min(topK, n) : n;
        // The nucleus is measured against what top-k left, or without top-k against the whole distribution (as
        // transformers' TopPLogitsWarper does), never against the candidates alone: they are only a prefix of it.
        double total = sum;
        if (topK > 0) {
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += prob(candidates[n - 1 - i]);
            }
        }
        if (topP < 1.0) {
            double cumulative = 0;
            int nucleus = 0;
            while (nucleus < keep && cumulative < topP * total) {
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
        int[] ids = new int[keep];
        for (int i = 0; i < keep; i++) {
            ids[i] = index(candidates[n - 1 - i]);
        }
        return ids;
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
     * Lowers a threshold until the tokens above it hold the top-k or the top-p mass, or reach min-p's floor; tokens
     * below can never be kept.
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
            // Without top-k or top-p to narrow it, min-p alone keeps everything down to its own floor.
            boolean enough = topK > 0 ? count >= topK : topP < 1.0 && mass >= topP * sum;
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
