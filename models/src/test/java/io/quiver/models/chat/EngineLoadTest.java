package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the engine says about its load, read by listeners on the scheduler thread between steps so that nothing
 * moves: running and waiting in sequences (a request's n completions count n), and the share of KV slots held.
 */
class EngineLoadTest {
    @Test
    void aGroupThatDoesNotFitWaitsAsItsSequencesAndHeldSlotsCountWhole() throws Exception {
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2))) {
            List<String> seen = new ArrayList<>();
            List<Recorder> pair = List.of(new Recorder(2, r -> seen.add("pair running: " + load(engine))),
                    new Recorder());
            // The lone completion queues a pair (n = 2) at its second token; the pair needs both rows, so it waits
            // until the lone one ends.
            Recorder lone = new Recorder(2, r -> {
                seen.add("lone running: " + load(engine));
                engine.submit(ChatFixture.greedy(prompt, 4), 2, pair::get);
                seen.add("pair queued: " + load(engine));
            });
            lone.submitTo(engine, ChatFixture.greedy(prompt, 6));
            assertEquals(FinishReason.LENGTH, lone.await());
            for (Recorder r : pair) {
                assertEquals(FinishReason.LENGTH, r.await());
            }
            assertEquals(List.of("lone running: running 1, waiting 0, slots 0.5",
                    "pair queued: running 1, waiting 2, slots 0.5",
                    "pair running: running 2, waiting 0, slots 1.0"), seen);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (engine.running() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals("running 0, waiting 0, slots 0.0", load(engine));
        }
    }

    private static String load(ChatEngine engine) {
        return "running " + engine.running() + ", waiting " + engine.waiting() + ", slots " + engine.slotUsage();
    }
}
