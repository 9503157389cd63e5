package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.MemoryNeed;
import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.MemoryEstimate;
import io.quiver.models.ModelFolder;
import io.quiver.models.ModelKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * onnxruntime-genai's model builder export (int4, CPU: GroupQueryAttention with rotary inside, MatMulNBits,
 * GatherBlockQuantized) served by the chat loader from its genai_config.json: greedy ids equal onnxruntime-genai's
 * own generator token for token, alone and in a batch whose rows join and leave mid-run, and the first step's
 * logits equal onnxruntime's Python session on the same graph. The same graph with GroupQueryAttention's
 * {@code seqlens_k} and {@code total_sequence_length} as inputs is served the same.
 */
class GenaiExportTest {
    static final String NAME = "tiny-random-deepseek-r1-genai";
    static final JsonNode GOLDEN = Fixtures.golden(NAME);

    static Path folder() {
        return Fixtures.testModel(NAME);
    }

    @Test
    void genaiConfigIsRead() {
        assertEquals(ModelKind.CHAT, ModelKind.detect(folder()), "a genai_config.json makes a chat model");
        try (ChatModel model = ChatModel.open(folder(), Placement.CPU, null)) {
            ModelSpec spec = model.spec;
            assertEquals("qwen2", spec.modelType());
            assertEquals(128815, spec.vocabSize());
            assertEquals(GOLDEN.path("config").path("context_length").asInt(), spec.maxPositions());
            assertEquals(Set.of(1), spec.eosIds());
            // search: do_sample true, temperature 0.6, top_p 0.95, top_k 50 (the builder's default)
            assertEquals(new SamplingParams(0.6, 0.95, 50, 0.0, null, 0, 0, 1.0), spec.defaults());
            assertTrue(spec.chatTemplate().contains("<｜Assistant｜>"), "the template from chat_template.jinja");
            assertEquals("<｜begin▁of▁sentence｜>", spec.bosToken());
            JsonNode config = GOLDEN.path("config");
            assertEquals(config.path("num_hidden_layers").asInt(), model.decoder.layers);
            assertEquals(config.path("num_key_value_heads").asInt(), model.decoder.layout.kvHeads());
            assertEquals(config.path("head_dim").asInt(), model.decoder.layout.headDim());
            assertTrue(model.decoder.layout.rightPadded(), "GroupQueryAttention keeps rows in the first columns");
            assertTrue(!model.decoder.hasPositionIds, "rotary inside the attention: no position_ids");
            assertTrue(!model.decoder.seqlensK, "the builder derives seqlens_k from the attention mask");
            // Where the open spent its time: the session, one token through it, the tokenizer beside them.
            ChatModel.OpenTimes times = model.openTimes();
            assertTrue(times.session() > 0 && times.check() > 0 && times.tokenizer() > 0, times.toString());
            assertEquals(java.util.List.of("runtime", "session", "check", "tokenizer", "tokenizer-wait"),
                    java.util.List.copyOf(times.millis().keySet()));
        }
        try (ChatModel model = ChatModel.open(folder(), Placement.CPU, GOLDEN.path("seqlens_graph").asText())) {
            assertTrue(model.decoder.seqlensK, "a graph that declares seqlens_k is fed it");
            assertTrue(model.decoder.layout.rightPadded());
        }
    }

    /**
     * The builder's graph, the same with seqlens_k and total_sequence_length as inputs, and its prune_lm_head
     * export (logits of the last position alone: PrunedLmHeadTest).
     */
    static Stream<String> graphs() {
        return Stream.of("model.onnx", GOLDEN.path("seqlens_graph").asText(), GOLDEN.path("pruned_graph").asText());
    }

    @ParameterizedTest
    @MethodSource("graphs")
    void greedyIdsEqualOnnxruntimeGenaiOneAtATime(String graph) throws Exception {
        int tokens = GOLDEN.path("greedy_tokens").asInt();
        try (ChatEngine engine = ChatEngine.load(folder(), Placement.CPU,
                new ChatOptions(1, graph, null, true, 0))) {
            for (JsonNode c : GOLDEN.path("cases")) {
                GenerationResult result = engine.generate(ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")),
                        tokens));
                assertArrayEquals(ChatFixture.ints(c.path("genai_ids")), result.tokenIds(), c.path("name").asText());
                assertEquals(FinishReason.LENGTH, result.finishReason());
            }
        }
    }

    @Test
    void nChoicesShareOnePrefillOnRightPaddedCaches() throws Exception {
        // n > 1 copies the prefilled cache into n rows; with GroupQueryAttention each row's cache must stay in its
        // first columns, so greedy choices equal onnxruntime-genai's ids only if the copy keeps that layout.
        JsonNode c = GOLDEN.path("cases").get(0);
        int tokens = GOLDEN.path("greedy_tokens").asInt();
        try (ChatEngine engine = ChatEngine.load(folder(), Placement.CPU, new ChatOptions(4, null, null, true, 0))) {
            Recorder[] choices = {new Recorder(), new Recorder(), new Recorder()};
            long before = engine.stats().prefills();
            engine.submit(ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")), tokens), 3, i -> choices[i]);
            for (Recorder choice : choices) {
                assertEquals(FinishReason.LENGTH, choice.await());
                assertArrayEquals(ChatFixture.ints(c.path("genai_ids")), choice.idArray());
            }
            assertEquals(1, engine.stats().prefills() - before, "one prefill for the three");
        }
    }

    @ParameterizedTest
    @MethodSource("graphs")
    void batchedDecodeEqualsOnnxruntimeGenai(String graph) throws Exception {
        // Two rows at a time, each asking four tokens fewer than the one before: a row leaves while its neighbour
        // runs on and the next prompt joins beside it, so rows of different lengths share right-padded caches.
        int tokens = GOLDEN.path("greedy_tokens").asInt();
        List<JsonNode> cases = new ArrayList<>();
        GOLDEN.path("cases").forEach(cases::add);
        try (ChatEngine engine = ChatEngine.load(folder(), Placement.CPU, new ChatOptions(2, graph, null, true, 0))) {
            Recorder[] runs = new Recorder[cases.size()];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = new Recorder().submitTo(engine,
                        ChatFixture.greedy(ChatFixture.ints(cases.get(i).path("prompt_ids")), tokens - 4 * i));
            }
            for (int i = 0; i < runs.length; i++) {
                int[] expected = ChatFixture.ints(cases.get(i).path("genai_ids"));
                assertEquals(FinishReason.LENGTH, runs[i].await());
                assertArrayEquals(java.util.Arrays.copyOf(expected, tokens - 4 * i), runs[i].idArray(),
                        cases.get(i).path("name").asText());
            }
            assertEquals(2, engine.peakRunning(), "sequences at once");
        }
    }

    @Test
    void firstStepLogitsEqualOnnxruntime() throws Exception {
        JsonNode expected = GOLDEN.path("first_step_logits");
        int[] prompt = ChatFixture.ints(GOLDEN.path("cases").get(0).path("prompt_ids"));
        assertEquals(expected.path("case").asText(), GOLDEN.path("cases").get(0).path("name").asText());
        GenaiConfig genai = GenaiConfig.read(ModelFolder.of(folder()));
        try (DecoderSession decoder = DecoderSession.open(folder().resolve(genai.graph()), Placement.CPU, genai.io(),
                genai.kvHeads(), genai.headSize())) {
            try (DecoderSession.Step step = ChatFixture.prefill(decoder, prompt)) {
                JsonNode first = expected.path("first_64");
                for (int i = 0; i < first.size(); i++) {
                    assertEquals(first.get(i).asDouble(), step.logits[i], 1e-4, "logit " + i);
                }
                JsonNode topIds = expected.path("top_ids");
                for (int i = 0; i < topIds.size(); i++) {
                    int id = topIds.get(i).asInt();
                    assertEquals(expected.path("top_values").get(i).asDouble(), step.logits[id], 1e-4, "logit " + id);
                }
                assertEquals(topIds.get(0).asInt(), Sampler.argmax(step.logits, 0, step.vocab));
                assertEquals(GOLDEN.path("cases").get(0).path("genai_ids").get(0).asInt(),
                        Sampler.argmax(step.logits, 0, step.vocab));
            }
        }
    }

    @Test
    void chatTemplateOfTheFolderRendersThePrompts() {
        try (ChatEngine engine = ChatEngine.load(folder(), Placement.CPU, ChatOptions.defaults())) {
            int checked = 0;
            for (JsonNode c : GOLDEN.path("cases")) {
                if (c.has("messages")) {
                    String text = engine.renderChat(ChatFixture.messages(c), true);
                    assertArrayEquals(ChatFixture.ints(c.path("prompt_ids")), engine.encode(text),
                            c.path("name").asText());
                    checked++;
                }
            }
            assertTrue(checked >= 2, "cases with messages: " + checked);
        }
    }

    @Test
    void memoryEstimateReadsGenaiConfig() {
        JsonNode config = GOLDEN.path("config");
        MemoryNeed need = MemoryEstimate.of(folder(), ModelKind.CHAT, null, 64, 2);
        assertEquals(config.path("weight_bytes").asLong(), need.weightsBytes(), "onnx's count of the graph's tensors");
        assertEquals(2L * config.path("num_hidden_layers").asInt() * config.path("num_key_value_heads").asInt()
                * config.path("head_dim").asInt() * 4 * 64 * 2, need.kvCacheBytes());
        try (ChatEngine engine = ChatEngine.load(folder(), Placement.CPU, ChatOptions.defaults())) {
            assertEquals(need.kvCacheBytes(), engine.kvBytesPerToken() * 64 * 2, "the session's own cache layout");
            assertEquals(config.path("context_length").asInt(), engine.contextLength());
        }
    }
}
