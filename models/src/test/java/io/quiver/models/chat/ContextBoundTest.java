package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.gpu.Placement;
import io.quiver.models.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A sequence never outgrows its context: the engine's own limit, whatever the checks before it let through. */
class ContextBoundTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aSequenceWithAnUnboundedTokenLimitStopsWithLengthAtTheContext(boolean inPlace) throws Exception {
        int context = 64;
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids"));
        try (ChatModel model = ChatModel.open(inPlace ? GenaiExportTest.folder() : ChatFixture.folder(),
                Placement.CPU, null)) {
            SlotTable slots = new SlotTable(2, context);
            StepExecutor executor = inPlace ? new SharedKvExecutor(model.decoder, slots, model.spec.vocabSize(), 16)
                    : new GrowingPastExecutor(model.decoder);
            try (BatchScheduler scheduler = new BatchScheduler(executor, slots, new StepPlanner.Limits(16, false, 0),
                    "bound")) {
                run(model, scheduler, prompt, context);
            }
        }
    }

    private static void run(ChatModel model, BatchScheduler scheduler, int[] prompt, int context)
            throws Exception {
        GenerationRequest request = ChatFixture.greedy(prompt, Integer.MAX_VALUE);
        Recorder recorder = new Recorder();
        scheduler.submit(new Sequence(request, SamplingParams.greedy(), Integer.MAX_VALUE, model.tokenizer,
                model.spec.eosIds(), false, recorder));
        assertEquals(FinishReason.LENGTH, recorder.await());
        assertEquals(context - prompt.length, recorder.ids.size(), "prompt + completion fill the context");
        assertEquals(new Usage(prompt.length, context - prompt.length), recorder.usage);
        assertEquals(0, scheduler.stats().running());
        assertEquals(0, scheduler.stats().busyTokens());
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
