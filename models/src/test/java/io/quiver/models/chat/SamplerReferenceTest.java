package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tokens the sampler may draw from, against transformers' logits warpers (TemperatureLogitsWarper,
 * TopKLogitsWarper, TopPLogitsWarper, MinPLogitsWarper, in generate()'s order, min_tokens_to_keep 1), written out
 * here independently, on wide distributions: a Zipf-like one whose tail below a thousandth of the top token holds a
 * few percent of the mass, and the fixture model's own first-step logits over its 128,815-token vocabulary.
 */
class SamplerReferenceTest {
    private static float[] zipf;
    private static float[] model;

    @BeforeAll
    static void distributions() throws Exception {
        Random random = new Random(5);
        zipf = new float[50_000];
        List<Integer> shuffled = new java.util.ArrayList<>(IntStream.range(0, zipf.length).boxed().toList());
        java.util.Collections.shuffle(shuffled, random);
        int[] rank = shuffled.stream().mapToInt(Integer::intValue).toArray();
        for (int i = 0; i < zipf.length; i++) {
            // Distinct values (no ties at a cut), ids shuffled so that probability and id are unrelated.
            zipf[rank[i]] = (float) (-1.7 * Math.log(i + 1) + 1e-3 * random.nextGaussian());
        }
        try (ChatModel chat = ChatModel.open(ChatFixture.folder(), Placement.CPU, null)) {
            int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("user_long").path("prompt_ids"));
            try (DecoderSession.Step step = ChatFixture.prefill(chat.decoder, prompt)) {
                model = Arrays.copyOf(step.logits, step.vocab);
            }
        }
    }

    /** transformers' warpers on one row, in double: what generate(do_sample=True) may draw from. */
    static Set<Integer> reference(float[] logits, double temperature, int topK, double topP, double minP) {
        int vocab = logits.length;
        double[] scores = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            scores[i] = logits[i] / temperature;
        }
        if (topK > 0) {
            double[] sorted = scores.clone();
            Arrays.sort(sorted);
            double kth = sorted[vocab - Math.min(topK, vocab)];
            for (int i = 0; i < vocab; i++) {
                if (scores[i] < kth) {
                    scores[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        if (topP < 1.0) {
            // Ascending sort, softmax, cumulative sum; drop tokens whose cumulative mass is <= 1 - top_p, but
            // never the most probable one.
            Integer[] ascending = IntStream.range(0, vocab).boxed().toArray(Integer[]::new);
            Arrays.sort(ascending, Comparator.comparingDouble(i -> scores[i]));
            double[] probs = softmax(scores);
            double cumulative = 0;
            for (int r = 0; r < vocab - 1; r++) {
                cumulative += probs[ascending[r]];
                if (cumulative <= 1 - topP) {
                    scores[ascending[r]] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        if (minP > 0) {
            double[] probs = softmax(scores);
            double top = Arrays.stream(probs).max().orElseThrow();
            int best = IntStream.range(0, vocab).filter(i -> probs[i] == top).findFirst().orElseThrow();
            for (int i = 0; i < vocab; i++) {
                if (probs[i] < minP * top && i != best) {
                    scores[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        Set<Integer> kept = new TreeSet<>();
        for (int i = 0; i < vocab; i++) {
            if (scores[i] != Double.NEGATIVE_INFINITY) {
                kept.add(i);
            }
        }
        return kept;
    }

    private static double[] softmax(double[] scores) {
        double max = Arrays.stream(scores).max().orElseThrow();
        double[] p = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    static Set<Integer> quiver(float[] logits, double temperature, int topK, double topP, double minP) {
        Sampler sampler = new Sampler(new SamplingParams(temperature, topP, topK, minP, 1L, 0, 0, 1.0), new int[0]);
        int[] ids = sampler.filter(logits.clone(), 0, logits.length);
        Set<Integer> kept = new TreeSet<>();
        for (int id : ids) {
            kept.add(id);
        }
        assertEquals(ids.length, kept.size(), "a token kept twice");
        return kept;
    }

    private static void assertSameAsTransformers(String what, float[] logits, double temperature, int topK,
                                                 double topP, double minP) {
        Set<Integer> expected = reference(logits, temperature, topK, topP, minP);
        Set<Integer> actual = quiver(logits, temperature, topK, topP, minP);
        Set<Integer> missing = new HashSet<>(expected);
        missing.removeAll(actual);
        Set<Integer> extra = new HashSet<>(actual);
        extra.removeAll(expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), String.format(
                "%s, temperature %s, top_k %d, top_p %s, min_p %s: transformers keeps %d tokens, Quiver %d "
                        + "(%d missing, %d extra)", what, temperature, topK, topP, minP, expected.size(),
                actual.size(), missing.size(), extra.size()));
    }

    @Test
    void topPKeepsTheNucleusOfTheWholeDistribution() {
        for (double temperature : List.of(0.6, 1.0)) {
            for (double topP : List.of(0.5, 0.8, 0.9, 0.95, 0.99)) {
                assertSameAsTransformers("zipf", zipf, temperature, 0, topP, 0);
                assertSameAsTransformers("model", model, temperature, 0, topP, 0);
            }
        }
    }

    @Test
    void topPAfterTopKIsMeasuredOnTheTopKMass() {
        for (int topK : List.of(5, 50, 2000)) {
            for (double topP : List.of(0.8, 0.95)) {
                assertSameAsTransformers("zipf", zipf, 1.0, topK, topP, 0);
                assertSameAsTransformers("model", model, 0.6, topK, topP, 0);
            }
        }
    }

    @Test
    void minPBelowAThousandthKeepsTokensAboveIt() {
        float[] logits = {0f, (float) Math.log(5e-4), (float) Math.log(5e-5), (float) Math.log(2e-3)};
        assertEquals(Set.of(0, 1, 3), quiver(logits, 1.0, 0, 1.0, 1e-4), "min_p 1e-4 keeps relative 5e-4");
        for (double minP : List.of(1e-5, 1e-4, 5e-4, 1e-2, 0.1)) {
            assertSameAsTransformers("zipf", zipf, 1.0, 0, 1.0, minP);
            assertSameAsTransformers("model", model, 1.0, 0, 1.0, minP);
            assertSameAsTransformers("zipf", zipf, 0.6, 0, 0.95, minP);
            assertSameAsTransformers("zipf", zipf, 1.0, 100, 1.0, minP);
        }
    }
}
