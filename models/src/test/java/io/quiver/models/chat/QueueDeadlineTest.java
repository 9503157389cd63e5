package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.QueueTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The engine's own queue has a deadline: a completion that waits past it for a batch row fails, alone. */
class QueueDeadlineTest {
    @Test
    void aCompletionWaitingPastTheQueueTimeoutFailsWhileTheBatchRunsOn() throws Exception {
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1)
                .withQueueTimeout(Duration.ofMillis(200)))) {
            Recorder waiting = new Recorder();
            // At its second token the running completion queues another, then holds the scheduler for 400 ms:
            // the queued one has waited past its deadline by the next step.
            Recorder running = new Recorder(2, r -> {
                waiting.submitTo(engine, ChatFixture.greedy(prompt, 4));
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).submitTo(engine, ChatFixture.greedy(prompt, 400));
            ExecutionException e = assertThrows(ExecutionException.class, waiting::await);
            assertTrue(e.getCause() instanceof QueueTimeoutException, String.valueOf(e.getCause()));
            assertTrue(running.ids.size() < 400, "the queued completion should fail while the row is still busy");
            assertTrue(waiting.ids.isEmpty());
            assertEquals(FinishReason.LENGTH, running.await(), "the running completion is not disturbed");
            assertEquals(400, running.ids.size());
        }
    }
}
