package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.gpu.Placement;
import io.quiver.models.InvalidRequestException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A sequence never outgrows its context: the engine's own limit, whatever the checks before it let through. */
class ContextBoundTest {
    @Test
    void aSequenceWithAnUnboundedTokenLimitStopsWithLengthAtTheContext() throws Exception {
        int context = 64;
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
        try (ChatModel model = ChatModel.open(ChatFixture.folder(), Placement.CPU, null);
             BatchScheduler scheduler = new BatchScheduler(model.decoder, 2, context, Duration.ZERO, "bound")) {
            GenerationRequest request = ChatFixture.greedy(prompt, Integer.MAX_VALUE);
            Recorder recorder = new Recorder();
            scheduler.submit(new Sequence(request, SamplingParams.greedy(), Integer.MAX_VALUE, model.tokenizer,
                    model.spec.eosIds(), false, recorder));
            assertEquals(FinishReason.LENGTH, recorder.await());
            assertEquals(context - prompt.length, recorder.ids.size(), "prompt + completion fill the context");
            assertEquals(new Usage(prompt.length, context - prompt.length), recorder.usage);
            assertEquals(0, scheduler.running());
            assertEquals(0, scheduler.cachedTokens());
        }
    }

    @Test
    void maxTokensNearTheIntegerLimitIsRefusedNotWrapped() {
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1))) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> engine.submit(
                    GenerationRequest.of(prompt, SamplingParams.greedy(), Integer.MAX_VALUE), new Recorder()));
            assertEquals("max_tokens", e.param());
            assertEquals(0, engine.running());
        }
    }
}
