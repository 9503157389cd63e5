package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelFolder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model builder's export with {@code prune_lm_head} (the fixture's {@code model_pruned.onnx}, the same weights
 * file): its logits are the last position's alone, so a prefill computes the vocabulary-sized product once instead
 * of once per prompt token. Served, its greedy ids equal onnxruntime-genai's on the builder's unpruned graph (which
 * fixtures/chat/genai.py checks for this graph in onnxruntime's own session too; GenaiExportTest runs its batched
 * goldens on it); scoring a prompt, which needs every position, is refused before the request takes a slot.
 */
class PrunedLmHeadTest {
    private static final JsonNode GOLDEN = GenaiExportTest.GOLDEN;
    private static final String PRUNED = GOLDEN.path("pruned_graph").asText();

    @Test
    void theGraphSaysItGivesTheLastPositionsLogitsAlone() {
        try (ChatModel model = ChatModel.open(GenaiExportTest.folder(), Placement.CPU, PRUNED)) {
            assertTrue(model.decoder.lastPositionOnly, PRUNED);
        }
        try (ChatModel model = ChatModel.open(GenaiExportTest.folder(), Placement.CPU, null)) {
            assertFalse(model.decoder.lastPositionOnly, "the builder's default graph gives every position's");
        }
    }

    @Test
    void promptsPrefilledInSmallChunksGiveOnnxruntimeGenaisIds() {
        // Each 3-token chunk's logits are its last position's; only the prompt's last chunk is sampled from.
        int tokens = GOLDEN.path("greedy_tokens").asInt();
        try (ChatEngine engine = ChatEngine.load(GenaiExportTest.folder(), Placement.CPU,
                new ChatOptions(1, PRUNED, null, true, 0).withPrefillChunk(3))) {
            for (JsonNode c : GOLDEN.path("cases")) {
                GenerationResult result = engine.generate(ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")),
                        tokens));
                assertArrayEquals(ChatFixture.ints(c.path("genai_ids")), result.tokenIds(), c.path("name").asText());
            }
        }
    }

    @Test
    void scoringAPromptIsRefusedBeforeItTakesASlot() {
        int[] prompt = ChatFixture.ints(GOLDEN.path("cases").get(0).path("prompt_ids"));
        GenerationRequest scored = new GenerationRequest(prompt, SamplingParams.greedy(), 4, List.of(), true, false,
                false, -1, 0, false, null);
        try (ChatEngine engine = ChatEngine.load(GenaiExportTest.folder(), Placement.CPU,
                new ChatOptions(1, PRUNED, null, true, 0))) {
            InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                    () -> engine.check(scored, 1));
            assertEquals("echo", refused.param());
            assertTrue(refused.getMessage().contains("prune_lm_head"), refused.getMessage());
            assertThrows(InvalidRequestException.class, () -> engine.submit(scored, new Recorder()));
            assertEquals(0, engine.running() + engine.waiting(), "nothing queued or running");
            // The engine still serves what the graph can give.
            assertEquals(4, engine.generate(ChatFixture.greedy(prompt, 4)).tokenIds().length);
        }
        try (ChatEngine engine = ChatEngine.load(GenaiExportTest.folder(), Placement.CPU,
                new ChatOptions(1, null, null, true, 0))) {
            assertEquals(4, engine.check(scored, 1), "the unpruned graph scores prompts");
        }
    }

    @Test
    void itsPinnedLogitsHoldARowPerSlotNotAChunksPositions() throws Exception {
        GenaiConfig genai = GenaiConfig.read(ModelFolder.of(GenaiExportTest.folder()));
        Path folder = GenaiExportTest.folder();
        int vocab = 128815;
        int slots = 2;
        int capacity = 64;
        int chunk = 256;
        long pruned;
        long full;
        try (DecoderSession decoder = DecoderSession.open(folder.resolve(PRUNED), Placement.CPU, genai.io(),
                genai.kvHeads(), genai.headSize())) {
            pruned = SharedKvExecutor.bytes(decoder, slots, capacity, vocab, chunk);
        }
        try (DecoderSession decoder = DecoderSession.open(folder.resolve(genai.graph()), Placement.CPU, genai.io(),
                genai.kvHeads(), genai.headSize())) {
            full = SharedKvExecutor.bytes(decoder, slots, capacity, vocab, chunk);
        }
        assertEquals((long) (chunk - slots) * vocab * 4, full - pruned);
    }
}
