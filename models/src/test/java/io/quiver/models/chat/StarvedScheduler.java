package io.quiver.models.chat;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run in a JVM whose direct memory is too small for a two-row KV re-gather: one sequence runs alone, a second
 * with a long prompt prefills and then fails to join. Exits 0 only when both sequences ended (completed or failed)
 * and the engine holds nothing; prints what happened either way.
 */
final class StarvedScheduler {
    private StarvedScheduler() {
    }

    public static void main(String[] args) throws Exception {
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2))) {
            int[] shortPrompt = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
            int[] longPrompt = new int[400];
            Arrays.fill(longPrompt, shortPrompt[shortPrompt.length - 1]);
            CountDownLatch running = new CountDownLatch(1);
            Recorder alone = new Recorder(3, r -> running.countDown());
            alone.submitTo(engine, ChatFixture.greedy(shortPrompt, 100));
            if (!running.await(60, TimeUnit.SECONDS)) {
                System.out.println("the first sequence never produced 3 tokens");
                System.exit(2);
            }
            Recorder joining = new Recorder().submitTo(engine, ChatFixture.greedy(longPrompt, 100));
            String first = outcome(alone);
            String second = outcome(joining);
            for (int i = 0; i < 500 && engine.running() > 0; i++) {
                Thread.sleep(10);
            }
            System.out.printf("first: %s; joining: %s; running %d; kv %.3f%n", first, second, engine.running(),
                    engine.kvCacheUsage());
            boolean ended = !first.equals("never ended") && !second.equals("never ended");
            System.exit(ended && engine.running() == 0 && engine.kvCacheUsage() == 0 ? 0 : 1);
        }
    }

    private static String outcome(Recorder r) throws InterruptedException {
        try {
            return String.valueOf(r.finished.get(20, TimeUnit.SECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            return "never ended";
        } catch (java.util.concurrent.ExecutionException e) {
            return "failed: " + e.getCause();
        }
    }
}
