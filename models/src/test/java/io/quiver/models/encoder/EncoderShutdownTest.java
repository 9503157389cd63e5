package io.quiver.models.encoder;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.ModelKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Closing an encoder ends every request it has taken, including one a worker holds while it waits for company. */
class EncoderShutdownTest {
    @Test
    void aRequestHeldForABatchWhenTheEncoderClosesStillEnds() throws Exception {
        EncoderModel model = EncoderModel.load(Fixtures.model("tiny-random-bert-intents"), ModelKind.CLASSIFIER,
                Placement.CPU);
        EncoderBatcher batcher = new EncoderBatcher(model, "test", 32, Duration.ofMinutes(1), 1);
        CompletableFuture<float[][]> held = batcher.submit(List.of(model.encode("hello", false, "input")));
        for (int i = 0; i < 1000 && batcher.queued() > 0; i++) {
            Thread.sleep(5);
        }
        assertTrue(batcher.queued() == 0, "the worker should have taken the request to wait for company");
        batcher.close();
        assertTrue(held.isDone(), "a request taken by the worker was left waiting after close");
        assertThrows(ExecutionException.class, held::get);
    }
}
