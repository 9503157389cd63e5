package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.InvalidRequestException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sampling parameters, limits and request validation on the real fixture. */
class ChatSamplingTest {
    private static ChatEngine engine;
    private static int[] rawShort;
    private static int[] userLong;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(4));
        rawShort = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
        userLong = ChatFixture.ints(ChatFixture.goldenCase("user_long").path("prompt_ids"));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static int[] sample(SamplingParams params, int tokens) {
        return engine.generate(GenerationRequest.of(userLong, params, tokens).withIgnoreEos(true)).tokenIds();
    }

    @Test
    void sameSeedSameTokensDifferentSeedDifferentTokens() {
        SamplingParams params = SamplingParams.defaults().withTemperature(1.0).withTopP(0.95).withSeed(42L);
        int[] first = sample(params, 16);
        int[] again = sample(params, 16);
        int[] other = sample(params.withSeed(43L), 16);
        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other));
    }

    @Test
    void seededSamplingIsReproducibleInsideABatch() throws Exception {
        SamplingParams params = SamplingParams.defaults().withTemperature(0.8).withTopK(50).withMinP(0.01).withSeed(7L);
        int[] alone = sample(params, 12);
        Recorder noise = new Recorder().submitTo(engine,
                GenerationRequest.of(rawShort, SamplingParams.defaults().withSeed(1L), 30).withIgnoreEos(true));
        Recorder seeded = new Recorder().submitTo(engine, GenerationRequest.of(userLong, params, 12).withIgnoreEos(true));
        seeded.await();
        noise.await();
        assertArrayEquals(alone, seeded.idArray());
    }

    @Test
    void topKOfOneAndTinyTopPAreGreedy() {
        int[] greedy = ChatFixture.ints(ChatFixture.goldenCase("user_long").path("greedy_ids"));
        assertArrayEquals(Arrays.copyOf(greedy, 8), sample(SamplingParams.defaults().withTemperature(1.0).withTopK(1)
                .withSeed(3L), 8));
        assertArrayEquals(Arrays.copyOf(greedy, 8), sample(SamplingParams.defaults().withTemperature(1.0)
                .withTopP(1e-6).withSeed(3L), 8));
        assertArrayEquals(Arrays.copyOf(greedy, 8), sample(SamplingParams.defaults().withTemperature(1.0)
                .withTopP(1.0).withMinP(1.0).withSeed(3L), 8));
    }

    @Test
    void defaultsComeFromGenerationConfig() {
        // generation_config.json samples (temperature 0.6, top_p 0.95): a seed reproduces, and it is not greedy.
        int[] a = sample(SamplingParams.defaults().withSeed(11L), 16);
        int[] b = sample(SamplingParams.defaults().withSeed(11L), 16);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, ChatFixture.ints(ChatFixture.goldenCase("user_long").path("greedy_ids"))));
    }

    @Test
    void penaltiesChangeGreedyOutput() {
        // The reference's greedy output for raw_short repeats a token (positions 3 to 6): penalties break that.
        int[] greedy = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("greedy_ids"));
        assertEquals(greedy[3], greedy[4]);
        for (SamplingParams penalised : new SamplingParams[] {
                SamplingParams.greedy().withPenalties(2.0, 0, 1.0),
                SamplingParams.greedy().withPenalties(0, 2.0, 1.0),
                SamplingParams.greedy().withPenalties(0, 0, 3.0)}) {
            int[] out = engine.generate(GenerationRequest.of(rawShort, penalised, 24).withIgnoreEos(true)).tokenIds();
            assertFalse(Arrays.equals(greedy, out), penalised.toString());
            assertTrue(out[3] != out[4] || out[4] != greedy[4], penalised.toString());
        }
    }

    @Test
    void maxTokensEndsWithLength() {
        GenerationResult r = engine.generate(GenerationRequest.of(rawShort, SamplingParams.greedy(), 3)
                .withIgnoreEos(true));
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(3, r.tokenIds().length);
        assertEquals(new Usage(rawShort.length, 3), r.usage());
    }

    @Test
    void promptPlusMaxTokensBeyondTheContextIsRejected() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> engine.submit(GenerationRequest.of(userLong, SamplingParams.greedy(), 500), new Recorder()));
        assertEquals("max_tokens", e.param());
        assertEquals(userLong.length + " prompt tokens + 500 max_tokens > context length 512", e.getMessage());

        int[] huge = new int[600];
        InvalidRequestException tooLong = assertThrows(InvalidRequestException.class,
                () -> engine.submit(GenerationRequest.of(huge, SamplingParams.greedy(), 0), new Recorder()));
        assertEquals("messages", tooLong.param());
        assertTrue(tooLong.getMessage().contains("600 prompt tokens"), tooLong.getMessage());
    }

    @Test
    void unlimitedMaxTokensStopsAtTheContextLength() throws Exception {
        try (ChatEngine small = ChatFixture.engine(ChatOptions.defaults().withContextLength(64))) {
            assertEquals(64, small.contextLength());
            GenerationResult r = small.generate(GenerationRequest.of(userLong, SamplingParams.greedy(), 0)
                    .withIgnoreEos(true));
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(64 - userLong.length, r.tokenIds().length);
        }
    }

    @Test
    void outOfRangeParametersNameTheirParameter() {
        assertEquals("temperature", assertThrows(InvalidRequestException.class,
                () -> SamplingParams.defaults().withTemperature(-1)).param());
        assertEquals("top_p", assertThrows(InvalidRequestException.class,
                () -> SamplingParams.defaults().withTopP(0)).param());
        assertEquals("min_p", assertThrows(InvalidRequestException.class,
                () -> SamplingParams.defaults().withMinP(2)).param());
    }

    @Test
    void outOfVocabularyIdsAreRejected() {
        for (int[] ids : new int[][] {{0, engine.vocabSize()}, {0, -1}, {}}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> engine.submit(GenerationRequest.of(ids, SamplingParams.greedy(), 4), new Recorder()));
            assertTrue(e.param().equals("prompt") || e.param().equals("messages"), e.param());
        }
        assertEquals(0, engine.running());
    }
}
