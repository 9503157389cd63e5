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
        assertGreedy(null, "/greedy_ids", "/greedy_text");
    }

    @Test
    void q4GreedyEqualsOnnxRuntimePythonOnTheSameGraph() throws Exception {
        assertGreedy("model_q4.onnx", "/q4_greedy_ids", "/q4_greedy_text");
    }

    /**
     * The builder export's 4-bit products take int8 activations, so onnxruntime-genai's ids differ by kind of CPU
     * (Fixtures#cpuIsa): the golden has them per kind, and this machine's kind must be among them. On AVX2 they also
     * differ by batch: onnxruntime's own session on this graph gives one row's decode logits up to 0.57 apart at
     * batch 1 and at batch 2 (one decode kernel for one row, another for several), so there a batched run equals
     * the reference in its first token (from the prompt, whose pass is the same at any batch) and not beyond.
     */
    @Test
    void builderExportGreedyEqualsOnnxruntimeGenai() throws Exception {
        String isa = "/genai_greedy/" + Fixtures.cpuIsa();
        assertTrue(cases().stream().allMatch(c -> c.at(isa).isObject()), "no onnxruntime-genai ids for this kind of "
                + "CPU (" + Fixtures.cpuIsa() + ") in the golden: models/fixtures/real/prepare-smollm2.sh --goldens");
        ChatOptions options = new ChatOptions(cases().size(), null, null, true, 0);
        assertGreedy(RealModels.smollm2Genai(), options, isa + "/ids", isa + "/text", Fixtures.cpuIsa().equals("vnni"));
        // Small chunks, and each prompt a second time: the second finds all but its last token cached.
        try (ChatEngine engine = ChatEngine.load(RealModels.smollm2Genai(), Placement.CPU,
                options.withPrefillChunk(7))) {
            for (int round = 0; round < 2; round++) {
                for (JsonNode c : cases()) {
                    assertArrayEquals(ChatFixture.ints(c.at(isa + "/ids")),
                            engine.generate(greedy(c)).tokenIds(), c.path("name").asText() + " round " + round);
                }
            }
            assertTrue(engine.stats().prefixHits() >= cases().size(), "every prompt of the second round hits at least");
        }
    }

    private static void assertGreedy(String onnxFile, String ids, String text) throws Exception {
        assertGreedy(RealModels.smollm2(), new ChatOptions(cases().size(), onnxFile, null, true, 0), ids, text, true);
    }

    /**
     * One prompt at a time, then all of them batched together: both must give the reference's ids and text (batched,
     * where the graph's kernels give a row the same logits at any batch; else its first token).
     */
    private static void assertGreedy(java.nio.file.Path folder, ChatOptions options, String ids, String text,
                                     boolean batchInvariant) throws Exception {
        try (ChatEngine engine = ChatEngine.load(folder, Placement.CPU, options)) {
            for (JsonNode c : cases()) {
                int[] expected = ChatFixture.ints(c.at(ids));
                GenerationResult result = engine.generate(greedy(c));
                String name = c.path("name").asText();
                assertArrayEquals(expected, result.tokenIds(), name);
                assertEquals(c.at(text).asText(), result.content(), name);
                assertEquals("", result.reasoning(), name + ": no <think> block in this model");
                assertEquals(finish(expected), result.finishReason(), name);
            }
            List<Recorder> runs = new ArrayList<>();
            cases().forEach(c -> runs.add(new Recorder().submitTo(engine, greedy(c))));
            for (int i = 0; i < runs.size(); i++) {
                JsonNode c = cases().get(i);
                int[] expected = ChatFixture.ints(c.at(ids));
                FinishReason finished = runs.get(i).await();
                if (batchInvariant) {
                    assertEquals(finish(expected), finished, c.path("name").asText());
                    assertArrayEquals(expected, runs.get(i).idArray(), c.path("name").asText() + " (batched)");
                } else {
                    assertEquals(expected[0], runs.get(i).idArray()[0], c.path("name").asText() + " (batched)");
                }
            }
            assertTrue(engine.peakRunning() > 1, "the batched run decoded several sequences at once");
        }
    }
}
