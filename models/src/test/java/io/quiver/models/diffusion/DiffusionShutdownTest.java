package io.quiver.models.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing the diffusion worker ends the running generation and every queued one: nobody is left waiting. */
class DiffusionShutdownTest {
    @Test
    void closingEndsTheRunningAndTheQueuedRequests() {
        DiffusionWorker worker = new DiffusionWorker(DiffusionPipeline.load(Fixtures.model(DiffusionGoldenTest.NAME),
                Placement.CPU), "test");
        ImageRequest slow = ImageRequest.of("a lighthouse").withSteps(200).withScheduler("euler");
        Future<List<byte[]>> running = worker.submit(slow, (step, total) -> { });
        Future<List<byte[]>> queued = worker.submit(slow, (step, total) -> { });
        worker.close();
        assertTrue(running.isDone(), "the running generation should stop at its next step");
        assertTrue(queued.isDone(), "a queued generation was left waiting after close");
        assertThrows(CancellationException.class, queued::get);
        assertThrows(ExecutionException.class, running::get);
    }

    @Test
    void cancelAllEndsTheWorkAndTheWorkerServesOn() throws Exception {
        try (DiffusionWorker worker = new DiffusionWorker(DiffusionPipeline.load(
                Fixtures.model(DiffusionGoldenTest.NAME), Placement.CPU), "test")) {
            ImageRequest slow = ImageRequest.of("a lighthouse").withSteps(200).withScheduler("euler");
            Future<List<byte[]>> running = worker.submit(slow, (step, total) -> { });
            Future<List<byte[]>> queued = worker.submit(slow, (step, total) -> { });
            worker.cancelAll();
            assertTrue(running.isCancelled() && queued.isCancelled());
            List<byte[]> next = worker.submit(slow.withSteps(2), (step, total) -> { }).get(60, TimeUnit.SECONDS);
            assertEquals(1, next.size(), "the worker serves on after cancelAll");
        }
    }
}
