package io.quiver.models.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.QueueTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The diffusion worker's own queue has a deadline: a request that waited past it behind others fails unrun. */
class DiffusionQueueTest {
    @Test
    void aRequestWaitingPastTheQueueTimeoutFailsWithoutRunning() throws Exception {
        try (DiffusionWorker worker = new DiffusionWorker(DiffusionPipeline.load(
                Fixtures.model(DiffusionGoldenTest.NAME), Placement.CPU), "test", Duration.ofMillis(100))) {
            ImageRequest image = ImageRequest.of("a lighthouse").withSteps(2).withScheduler("euler");
            CountDownLatch release = new CountDownLatch(1);
            int[] steps = {0};
            // The first request holds the worker (in its step callback) until the second has waited 300 ms.
            Future<List<byte[]>> first = worker.submit(image, (step, total) -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Future<List<byte[]>> behind = worker.submit(image, (step, total) -> steps[0]++);
            Thread.sleep(300);
            release.countDown();
            assertEquals(1, first.get(60, TimeUnit.SECONDS).size(), "the first request is served");
            ExecutionException e = assertThrows(ExecutionException.class, () -> behind.get(60, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof QueueTimeoutException, String.valueOf(e.getCause()));
            assertEquals(0, steps[0], "nothing of it ran");
        }
    }
}
