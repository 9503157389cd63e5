package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.RealModels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real SmolLM2-135M-Instruct (Llama architecture, ChatML, tied embeddings) through Quiver's loader: its own
 * template and tokenizer give transformers' prompt ids; greedy decoding on the fp32 graph equals transformers'
 * generate, on the 4-bit graph built from the GGUF's Q4_1 blocks equals onnxruntime Python on that graph, and on
 * onnxruntime-genai's model-builder export of the same weights equals onnxruntime-genai's own generator — alone,
 * batched, prefilled in small chunks, and again with every prompt's prefix found in the cache.
 */
class SmolLm2GoldenTest {
    static final JsonNode GOLDEN = Fixtures.golden(RealModels.SMOLLM2);

    static List<JsonNode> cases() {
        List<JsonNode> out = new ArrayList<>();
        GOLDEN.path("cases").forEach(out::add);
        return out;
    }

    /** Greedy, stopping at the model's own end tokens (generation_config.json), as the references ran. */
    static GenerationRequest greedy(JsonNode c) {
        return GenerationRequest.of(ChatFixture.ints(c.path("prompt_ids")), SamplingParams.greedy(),
                GOLDEN.path("max_new_tokens").asInt());
    }

    static FinishReason finish(int[] ids) {
        int last = ids[ids.length - 1];
        for (JsonNode eos : GOLDEN.path("eos_token_ids")) {
            if (eos.asInt() == last) {
                return FinishReason.STOP;
            }
        }
        return FinishReason.LENGTH;
    }

    @Test
    void templateAndTokenizerGiveTransformersPromptIds() {
        try (ChatEngine engine = ChatEngine.load(RealModels.smollm2(), Placement.CPU, ChatOptions.defaults())) {
            for (JsonNode c : cases()) {
                String text = engine.renderChat(ChatFixture.messages(c), true);
                assertEquals(c.path("text").asText(), text, c.path("name").asText());
                assertArrayEquals(ChatFixture.ints(c.path("prompt_ids")), engine.encode(text), c.path("name").asText());
            }
        }
    }

    @Test
    void fp32GreedyEqualsTransformersTokenForToken() throws Exception {
        assertGreedy(null, "greedy_ids", "greedy_text");
    }

    @Test
    void q4GreedyEqualsOnnxRuntimePythonOnTheSameGraph() throws Exception {
        assertGreedy("model_q4.onnx", "q4_greedy_ids", "q4_greedy_text");
    }

    @Test
    void builderExportGreedyEqualsOnnxruntimeGenai() throws Exception {
        ChatOptions options = new ChatOptions(cases().size(), null, null, true, 0);
        assertGreedy(RealModels.smollm2Genai(), options, "genai_greedy_ids", "genai_greedy_text");
        // Small chunks, and each prompt a second time: the second finds all but its last token cached.
        try (ChatEngine engine = ChatEngine.load(RealModels.smollm2Genai(), Placement.CPU,
                options.withPrefillChunk(7))) {
            for (int round = 0; round < 2; round++) {
                for (JsonNode c : cases()) {
                    assertArrayEquals(ChatFixture.ints(c.path("genai_greedy_ids")),
                            engine.generate(greedy(c)).tokenIds(), c.path("name").asText() + " round " + round);
                }
            }
            assertTrue(engine.stats().prefixHits() >= cases().size(), "every prompt of the second round hits at least");
        }
    }

    private static void assertGreedy(String onnxFile, String ids, String text) throws Exception {
        assertGreedy(RealModels.smollm2(), new ChatOptions(cases().size(), onnxFile, null, true, 0), ids, text);
    }

    /** One prompt at a time, then all of them batched together: both must give the reference's ids and text. */
    private static void assertGreedy(java.nio.file.Path folder, ChatOptions options, String ids, String text)
            throws Exception {
        try (ChatEngine engine = ChatEngine.load(folder, Placement.CPU, options)) {
            for (JsonNode c : cases()) {
                int[] expected = ChatFixture.ints(c.path(ids));
                GenerationResult result = engine.generate(greedy(c));
                String name = c.path("name").asText();
                assertArrayEquals(expected, result.tokenIds(), name);
                assertEquals(c.path(text).asText(), result.content(), name);
                assertEquals("", result.reasoning(), name + ": no <think> block in this model");
                assertEquals(finish(expected), result.finishReason(), name);
            }
            List<Recorder> runs = new ArrayList<>();
            cases().forEach(c -> runs.add(new Recorder().submitTo(engine, greedy(c))));
            for (int i = 0; i < runs.size(); i++) {
                JsonNode c = cases().get(i);
                int[] expected = ChatFixture.ints(c.path(ids));
                assertEquals(finish(expected), runs.get(i).await(), c.path("name").asText());
                assertArrayEquals(expected, runs.get(i).idArray(), c.path("name").asText() + " (batched)");
            }
            assertTrue(engine.peakRunning() > 1, "the batched run decoded several sequences at once");
        }
    }
}
