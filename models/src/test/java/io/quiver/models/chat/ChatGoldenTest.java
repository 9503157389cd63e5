package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Java greedy decoding (ONNX Runtime, KV cache) against the PyTorch reference, token for token. */
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
    void greedyIdsMatchPyTorchForEveryPrompt() {
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
    void float16KvCacheAndLogitsFollowTheReference() throws Exception {
        // Same weights (shared model.onnx_data), float16 past/present/logits as fp16 exports have them; the
        // reference rounds its cache and logits to float16 the same way.
        try (ChatEngine fp16 = ChatFixture.engine(new ChatOptions(3, "model_fp16kv.onnx", null, true, 0))) {
            assertEquals(2 * 2 * 2 * 8 * 2, fp16.kvBytesPerToken(), "2 layers x K,V x 2 heads x 8 dims x 2 bytes");
            List<JsonNode> cases = ChatFixture.greedyCases();
            Recorder[] runs = new Recorder[cases.size()];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = new Recorder().submitTo(fp16, ChatFixture.greedy(ChatFixture.ints(cases.get(i)
                        .path("prompt_ids")), ChatFixture.GOLDEN.path("greedy_tokens").asInt()));
            }
            for (int i = 0; i < runs.length; i++) {
                assertEquals(FinishReason.LENGTH, runs[i].await());
                assertArrayEquals(ChatFixture.ints(cases.get(i).path("greedy_ids_fp16kv")), runs[i].idArray(),
                        cases.get(i).path("name").asText());
            }
            assertTrue(fp16.peakRunning() <= 3);
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
    void firstStepLogitsMatchPyTorch() throws Exception {
        JsonNode expected = ChatFixture.GOLDEN.path("first_step_logits");
        int[] prompt = ChatFixture.ints(ChatFixture.goldenCase(expected.path("case").asText()).path("prompt_ids"));
        try (DecoderSession decoder = DecoderSession.open(ChatFixture.folder().resolve("onnx/model.onnx"),
                Placement.CPU, 0, 0)) {
            long[] ids = new long[prompt.length];
            long[] mask = new long[prompt.length];
            long[] positions = new long[prompt.length];
            for (int i = 0; i < prompt.length; i++) {
                ids[i] = prompt[i];
                mask[i] = 1;
                positions[i] = i;
            }
            OnnxTensor[] empty = KvBlock.empty(1, 2 * decoder.layers, decoder.layout).tensors(decoder.env());
            try (DecoderSession.Step step = decoder.run(ids, mask, positions, 1, prompt.length, empty)) {
                JsonNode first = expected.path("first_64");
                for (int i = 0; i < first.size(); i++) {
                    assertEquals(first.get(i).asDouble(), step.logits[i], 1e-4, "logit " + i);
                }
                assertEquals(expected.path("top_ids").get(0).asInt(), Sampler.argmax(step.logits, 0, step.vocab));
                assertEquals(ChatFixture.GOLDEN.path("cases").get(0).path("greedy_ids").get(0).asInt(),
                        Sampler.argmax(step.logits, 0, step.vocab));
            } finally {
                List.of(empty).forEach(OnnxTensor::close);
            }
        }
    }
}
