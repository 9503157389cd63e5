package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching: sequences join a running batch between decode steps, finish or are cancelled mid-way, wait
 * for a free slot — and every one still produces exactly the transformers reference's greedy tokens.
 */
class ChatBatchingTest {
    private static final int TOKENS = ChatFixture.GOLDEN.path("greedy_tokens").asInt();

    private static int[] prompt(String name) {
        return ChatFixture.ints(ChatFixture.goldenCase(name).path("prompt_ids"));
    }

    private static int[] golden(String name) {
        return ChatFixture.ints(ChatFixture.goldenCase(name).path("greedy_ids"));
    }

    @Test
    void sequencesJoiningAndLeavingMidWayStillMatchTheReference() throws Exception {
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(3))) {
            Recorder c = new Recorder();
            Recorder e = new Recorder();
            Recorder d = new Recorder(5, r -> r.generation.cancel());
            Recorder b = new Recorder(2, r -> {
                d.submitTo(engine, ChatFixture.greedy(prompt("multi_turn"), TOKENS));
                e.submitTo(engine, ChatFixture.greedy(prompt("raw_text"), TOKENS));
            });
            Recorder a = new Recorder(3, r -> {
                b.submitTo(engine, ChatFixture.greedy(prompt("system_user"), TOKENS));
                c.submitTo(engine, ChatFixture.greedy(prompt("raw_short"), 6));
            });
            a.submitTo(engine, ChatFixture.greedy(prompt("user_long"), TOKENS));

            assertEquals(FinishReason.LENGTH, a.await());
            assertEquals(FinishReason.LENGTH, b.await());
            assertEquals(FinishReason.LENGTH, c.await());
            assertEquals(FinishReason.CANCELLED, d.await());
            assertEquals(FinishReason.LENGTH, e.await());

            assertArrayEquals(golden("user_long"), a.idArray(), "A, alone first, then joined by B and C");
            assertArrayEquals(golden("system_user"), b.idArray(), "B, joined A after 3 steps");
            assertArrayEquals(Arrays.copyOf(golden("raw_short"), 6), c.idArray(), "C, finished early at max_tokens");
            int dTokens = d.ids.size();
            assertTrue(dTokens >= 5 && dTokens < TOKENS, "D cancelled after 5 tokens, got " + dTokens);
            assertArrayEquals(Arrays.copyOf(golden("multi_turn"), dTokens), d.idArray(), "D, waited then cancelled");
            assertArrayEquals(golden("raw_text"), e.idArray(), "E, waited for a free slot");
            assertEquals(new Usage(prompt("raw_short").length, 6), c.usage);

            assertTrue(engine.peakRunning() <= 3, "peak " + engine.peakRunning() + " exceeds the batch limit 3");
            assertEquals(3, engine.peakRunning(), "the batch filled up");
            awaitIdle(engine);
            assertEquals(0.0, engine.kvCacheUsage());
        }
    }

    @Test
    void aFullBatchOfIdenticalAndDifferentPromptsMatches() throws Exception {
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(8))) {
            var cases = ChatFixture.greedyCases();
            Recorder[] recorders = new Recorder[cases.size() * 2];
            for (int i = 0; i < recorders.length; i++) {
                JsonNode c = cases.get(i % cases.size());
                recorders[i] = new Recorder().submitTo(engine,
                        ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")), TOKENS));
            }
            for (int i = 0; i < recorders.length; i++) {
                assertEquals(FinishReason.LENGTH, recorders[i].await());
                assertArrayEquals(ChatFixture.ints(cases.get(i % cases.size()).path("greedy_ids")),
                        recorders[i].idArray(), "sequence " + i);
            }
            assertTrue(engine.peakRunning() <= 8);
        }
    }

    @Test
    void cancelFreesTheSlot() throws Exception {
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2))) {
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            Recorder r = new Recorder(3, x -> started.countDown());
            r.submitTo(engine, ChatFixture.greedy(prompt("raw_text"), 400));
            assertTrue(started.await(60, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(engine.running() <= 1);
            r.generation.cancel();
            assertEquals(FinishReason.CANCELLED, r.await());
            assertTrue(r.generation.isDone());
            awaitIdle(engine);
            assertEquals(0, engine.running());
            assertEquals(0.0, engine.kvCacheUsage());
            // The freed slot serves the next request.
            GenerationResult next = engine.generate(ChatFixture.greedy(prompt("raw_short"), TOKENS));
            assertArrayEquals(golden("raw_short"), next.tokenIds());
        }
    }

    /** Waits (without any time assertion) for the scheduler to account the last sequence as gone. */
    static void awaitIdle(ChatEngine engine) throws InterruptedException {
        for (int i = 0; i < 6000 && (engine.running() > 0 || engine.kvCacheUsage() > 0); i++) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.running());
    }
}
