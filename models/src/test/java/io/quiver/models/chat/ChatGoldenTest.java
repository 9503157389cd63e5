package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Java greedy decoding (ONNX Runtime, KV cache) of the embedded fixture's fp32 graph, exported by Optimum, against
 * transformers on the same weights, token for token. The other graphs: {@link ExportedGraphsTest}.
 */
class ChatGoldenTest {
    private static ChatEngine engine;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(4));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void greedyIdsMatchTransformersForEveryPrompt() {
        int tokens = ChatFixture.GOLDEN.path("greedy_tokens").asInt();
        for (JsonNode c : ChatFixture.greedyCases()) {
            int[] prompt = ChatFixture.ints(c.path("prompt_ids"));
            GenerationResult result = engine.generate(ChatFixture.greedy(prompt, tokens));
            assertArrayEquals(ChatFixture.ints(c.path("greedy_ids")), result.tokenIds(), c.path("name").asText());
            assertEquals(FinishReason.LENGTH, result.finishReason());
            assertEquals(new Usage(prompt.length, tokens), result.usage());
        }
    }

    @Test
    void promptTokensMatchTheReferenceTokenizer() {
        for (JsonNode c : ChatFixture.GOLDEN.path("cases")) {
            assertArrayEquals(ChatFixture.ints(c.path("prompt_ids")), engine.encode(c.path("text").asText()),
                    c.path("name").asText());
        }
    }

    @Test
    void firstStepLogitsMatchTransformers() throws Exception {
        JsonNode expected = ChatFixture.GOLDEN.path("first_step_logits");
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase(expected.path("case").asText()).path("prompt_ids"));
        try (DecoderSession decoder = DecoderSession.open(ChatFixture.folder().resolve("onnx/model.onnx"),
                Placement.CPU, 0, 0)) {
            try (DecoderSession.Step step = ChatFixture.prefill(decoder, prompt)) {
                JsonNode first = expected.path("first_64");
                for (int i = 0; i < first.size(); i++) {
                    assertEquals(first.get(i).asDouble(), step.logits[i], 1e-4, "logit " + i);
                }
                assertEquals(expected.path("top_ids").get(0).asInt(), Sampler.argmax(step.logits, 0, step.vocab));
                assertEquals(ChatFixture.GOLDEN.path("cases").get(0).path("greedy_ids").get(0).asInt(),
                        Sampler.argmax(step.logits, 0, step.vocab));
            }
        }
    }
}
