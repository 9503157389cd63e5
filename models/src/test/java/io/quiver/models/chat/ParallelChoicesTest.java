package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.models.InvalidRequestException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** n completions of one prompt: one prefill, its cache shared by n rows, each with its own seeded generator. */
class ParallelChoicesTest {
    private static final int BATCH = 4;
    private static ChatEngine engine;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(BATCH));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Runs n completions to their end; their token ids in choice order. */
    private static List<int[]> run(GenerationRequest request, int n) throws Exception {
        List<CompletableFuture<int[]>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(new CompletableFuture<>());
        }
        engine.submit(request, n, i -> new GenerationListener() {
            private final List<Integer> ids = new ArrayList<>();

            @Override
            public void onDelta(Delta delta) {
                Arrays.stream(delta.tokenIds()).forEach(ids::add);
            }

            @Override
            public void onComplete(FinishReason reason, Usage usage) {
                results.get(i).complete(ids.stream().mapToInt(Integer::intValue).toArray());
            }

            @Override
            public void onError(Throwable error) {
                results.get(i).completeExceptionally(error);
            }
        });
        List<int[]> out = new ArrayList<>();
        for (CompletableFuture<int[]> r : results) {
            out.add(r.get(60, TimeUnit.SECONDS));
        }
        return out;
    }

    @Test
    void greedyChoicesOnASharedCacheAllMatchTransformers() throws Exception {
        var c = ChatFixture.goldenCase("system_user");
        int[] prompt = ChatFixture.ints(c.path("prompt_ids"));
        int[] golden = ChatFixture.ints(c.path("greedy_ids"));
        long before = engine.stats().prefills();
        List<int[]> choices = run(ChatFixture.greedy(prompt, golden.length), 3);
        assertEquals(1, engine.stats().prefills() - before, "one prefill for the three");
        for (int[] choice : choices) {
            assertArrayEquals(golden, choice);
        }
    }

    @Test
    void choiceIDrawsFromSeedPlusIAsIfAlone() throws Exception {
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("user_long").path("prompt_ids"));
        SamplingParams params = SamplingParams.defaults().withTemperature(1.0).withSeed(100L);
        List<int[]> together = run(GenerationRequest.of(prompt, params, 12).withIgnoreEos(true), 3);
        for (int i = 0; i < 3; i++) {
            int[] alone = engine.generate(GenerationRequest.of(prompt, params.withSeed(100L + i), 12)
                    .withIgnoreEos(true)).tokenIds();
            assertArrayEquals(alone, together.get(i), "choice " + i);
        }
        assertFalse(Arrays.equals(together.get(0), together.get(1)), "their own generators");
    }

    @Test
    void moreChoicesThanBatchRowsAreRefusedNamingN() {
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> engine.submit(
                GenerationRequest.of(prompt, SamplingParams.greedy(), 2), BATCH + 1, i -> null));
        assertEquals("n", e.param());
        assertEquals(0, engine.running());
    }
}
