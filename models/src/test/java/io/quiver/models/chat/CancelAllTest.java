package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shutdown's cut-off: every running and queued completion ends CANCELLED, and the engine goes on serving. */
class CancelAllTest {
    @Test
    void runningAndQueuedCompletionsEndCancelled() throws Exception {
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1))) {
            CountDownLatch started = new CountDownLatch(1);
            Recorder running = new Recorder(2, r -> started.countDown())
                    .submitTo(engine, ChatFixture.greedy(prompt, 400));
            Recorder queued = new Recorder().submitTo(engine, ChatFixture.greedy(prompt, 400));
            assertTrue(started.await(60, TimeUnit.SECONDS));
            engine.cancelAll();
            assertEquals(FinishReason.CANCELLED, running.await());
            assertEquals(FinishReason.CANCELLED, queued.await());
            assertTrue(running.ids.size() < 400 && queued.ids.isEmpty());
            int[] golden = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("greedy_ids"));
            assertArrayEquals(golden, engine.generate(ChatFixture.greedy(prompt, golden.length)).tokenIds(),
                    "the engine serves on after cancelAll");
        }
    }
}
