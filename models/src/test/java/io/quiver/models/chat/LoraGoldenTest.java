package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.gpu.MemoryNeed;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.MemoryEstimate;
import io.quiver.models.ModelKind;
import io.quiver.models.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * LoRA adapters per request on the model builder's export of the tiny R1 with a random peft LoRA (its LoRA weights
 * graph inputs, each adapter an .onnx_adapter): greedy ids equal transformers + peft (and onnxruntime-genai's
 * adapters API, which the generator checked equal) token for token for the base model and two adapters, alone and
 * batched beside each other with rows joining and leaving mid-run; the first step's logits equal transformers'.
 */
class LoraGoldenTest {
    static final String NAME = "tiny-random-deepseek-r1-lora";
    static final JsonNode GOLDEN = Fixtures.golden(NAME);
    static final int TOKENS = GOLDEN.path("greedy_tokens").asInt();

    static Path folder() {
        return Fixtures.testModel(NAME);
    }

    static ChatEngine engine(ChatOptions options) {
        ChatEngine engine = ChatEngine.load(folder(), Placement.CPU, options);
        for (String adapter : List.of("alpha", "beta")) {
            engine.adapters().load(adapter, folder().resolve(GOLDEN.path("adapter_files").path(adapter).asText()),
                    false);
        }
        return engine;
    }

    /** Label "base" runs without an adapter. */
    static GenerationRequest request(JsonNode c, String label, int tokens) {
        GenerationRequest greedy = ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")), tokens);
        return label.equals("base") ? greedy : greedy.withAdapter(label);
    }

    static int[] expected(JsonNode c, String label, int tokens) {
        return Arrays.copyOf(ChatFixture.ints(c.path("ids").path(label)), tokens);
    }

    @Test
    void greedyIdsEqualTransformersPeftOneAtATime() {
        try (ChatEngine engine = engine(new ChatOptions(1, null, null, true, 0))) {
            for (JsonNode c : GOLDEN.path("cases")) {
                for (String label : List.of("base", "alpha", "beta")) {
                    GenerationResult result = engine.generate(request(c, label, TOKENS));
                    assertArrayEquals(expected(c, label, TOKENS), result.tokenIds(), c.path("name") + " " + label);
                }
            }
        }
    }

    @Test
    void batchedBesideTheBaseModelAndAnotherAdapter() throws Exception {
        // Every case under the base model and both adapters at once in six rows, each asking fewer tokens than the
        // one before: rows of three adapters join and leave mid-run, so the groups' row ranges shift each time.
        List<JsonNode> cases = new ArrayList<>();
        GOLDEN.path("cases").forEach(cases::add);
        List<String> labels = List.of("alpha", "base", "beta");
        try (ChatEngine engine = engine(new ChatOptions(6, null, null, true, 0))) {
            List<Recorder> runs = new ArrayList<>();
            List<int[]> wanted = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < cases.size() * labels.size(); i++) {
                JsonNode c = cases.get(i % cases.size());
                String label = labels.get(i % labels.size());
                int tokens = TOKENS - i % 7;
                runs.add(new Recorder().submitTo(engine, request(c, label, tokens)));
                wanted.add(expected(c, label, tokens));
                names.add(c.path("name").asText() + " " + label);
            }
            for (int i = 0; i < runs.size(); i++) {
                assertEquals(FinishReason.LENGTH, runs.get(i).await());
                assertArrayEquals(wanted.get(i), runs.get(i).idArray(), names.get(i));
            }
            assertEquals(6, engine.peakRunning(), "rows at once");
            assertEquals(List.of(), engine.adapters().running(), "nothing runs at the end");
        }
    }

    @Test
    void firstStepLogitsEqualTransformersPeft() throws Exception {
        // Through the executor the engine runs: a slot prefilled under the adapter's run options.
        JsonNode c = GOLDEN.path("cases").get(0);
        int[] prompt = ChatFixture.ints(c.path("prompt_ids"));
        try (ChatModel model = ChatModel.open(folder(), Placement.CPU, null);
             LoraAdapters adapters = new LoraAdapters(2, Long.MAX_VALUE, null, run -> model.decoder.probe(0, run))) {
            SlotTable slots = new SlotTable(1, 64);
            try (SharedKvExecutor executor = new SharedKvExecutor(model.decoder, slots, model.spec.vocabSize(), 64)) {
                for (String label : List.of("base", "alpha", "beta")) {
                    JsonNode expected = GOLDEN.path("first_step_logits").path(label);
                    assertEquals(c.path("name").asText(), expected.path("case").asText());
                    Sequence sequence = new Sequence(request(c, label, 1), SamplingParams.greedy(), 1,
                            model.tokenizer, Set.of(), false, new Recorder());
                    if (!label.equals("base")) {
                        adapters.load(label, folder().resolve(GOLDEN.path("adapter_files").path(label).asText()),
                                false);
                        sequence.useAdapter(adapters, adapters.acquire(label));
                    }
                    SlotTable.Slot slot = slots.get(0);
                    slots.take(slot, sequence, SlotTable.Phase.PREFILLING, 0);
                    StepExecutor.Logits logits = executor.prefill(slot, prompt, 0, prompt.length, false);
                    JsonNode first = expected.path("first_64");
                    for (int i = 0; i < first.size(); i++) {
                        assertEquals(first.get(i).asDouble(), logits.data()[i], 2e-4, label + " logit " + i);
                    }
                    JsonNode top = expected.path("top_ids");
                    for (int i = 0; i < top.size(); i++) {
                        int id = top.get(i).asInt();
                        assertEquals(expected.path("top_values").get(i).asDouble(), logits.data()[id], 2e-4,
                                label + " top logit " + id);
                    }
                    slots.release(slot, false);
                    sequence.complete(FinishReason.LENGTH);
                }
            }
        }
    }

    @Test
    void aPrefixComputedUnderAnotherAdapterIsNotReused() {
        JsonNode c = GOLDEN.path("cases").get(1);
        try (ChatEngine engine = engine(new ChatOptions(1, null, null, true, 0))) {
            assertArrayEquals(expected(c, "base", 4), engine.generate(request(c, "base", 4)).tokenIds());
            long hits = engine.stats().prefixHitTokens();
            assertArrayEquals(expected(c, "alpha", 4), engine.generate(request(c, "alpha", 4)).tokenIds(),
                    "the base model's cache of the same prompt is not alpha's");
            assertEquals(hits, engine.stats().prefixHitTokens(), "no prefix reused across adapters");
            assertArrayEquals(expected(c, "alpha", 4), engine.generate(request(c, "alpha", 4)).tokenIds());
            assertTrue(engine.stats().prefixHitTokens() > hits, "alpha's own cache is reused");
        }
    }

    @Test
    void unloadWhileRunningLetsTheRunFinishWithTheAdapter() throws Exception {
        JsonNode c = GOLDEN.path("cases").get(0);
        try (ChatEngine engine = engine(new ChatOptions(2, null, null, true, 0))) {
            Recorder running = new Recorder(2, r -> assertTrue(engine.adapters().unload("alpha")));
            running.submitTo(engine, request(c, "alpha", TOKENS));
            assertEquals(FinishReason.LENGTH, running.await());
            assertArrayEquals(expected(c, "alpha", TOKENS), running.idArray(), "finished with the unloaded adapter");
            assertEquals(List.of("beta"), engine.adapters().names());
            assertThrows(AdapterNotFoundException.class, () -> engine.check(request(c, "alpha", 1), 1));
            assertThrows(AdapterNotFoundException.class, () -> engine.submit(request(c, "alpha", 1), new Recorder()));
            // Loaded again (a new adapter of the same name), it serves as before.
            engine.adapters().load("alpha", folder().resolve("adapters/alpha.onnx_adapter"), false);
            assertArrayEquals(expected(c, "alpha", 4), engine.generate(request(c, "alpha", 4)).tokenIds());
        }
    }

    @Test
    void adaptersCountInTheMemoryEstimate() throws Exception {
        Path alpha = folder().resolve("adapters/alpha.onnx_adapter");
        Path beta = folder().resolve("adapters/beta.onnx_adapter");
        MemoryNeed bare = MemoryEstimate.of(folder(), ModelKind.CHAT, null, 64, 2);
        MemoryNeed with = MemoryEstimate.of(folder(), ModelKind.CHAT, null, 64, 2, List.of(alpha, beta));
        assertEquals(bare.weightsBytes() + Files.size(alpha) + Files.size(beta), with.weightsBytes());
        assertEquals(bare.kvCacheBytes(), with.kvCacheBytes());
        assertThrows(ModelLoadException.class, () -> MemoryEstimate.of(folder(), ModelKind.CHAT, null, 64, 2,
                List.of(folder().resolve("adapters/missing.onnx_adapter"))));
        try (ChatEngine engine = engine(new ChatOptions(1, null, null, true, 0))) {
            assertEquals(Files.size(alpha) + Files.size(beta), engine.adapters().bytes(), "what the engine holds");
        }
    }

    @Test
    void loadRefusesWhatCannotServe() {
        Path alpha = folder().resolve("adapters/alpha.onnx_adapter");
        try (ChatEngine engine = engine(new ChatOptions(1, null, null, true, 0).withMaxAdapters(2))) {
            InvalidRequestException taken = assertThrows(InvalidRequestException.class,
                    () -> engine.adapters().load("alpha", alpha, false));
            assertTrue(taken.getMessage().contains("already loaded"), taken.getMessage());
            InvalidRequestException full = assertThrows(InvalidRequestException.class,
                    () -> engine.adapters().load("gamma", alpha, false));
            assertTrue(full.getMessage().contains("max-adapters"), full.getMessage());
            engine.adapters().load("alpha", folder().resolve("adapters/beta.onnx_adapter"), true);
            assertArrayEquals(expected(GOLDEN.path("cases").get(0), "beta", 4),
                    engine.generate(request(GOLDEN.path("cases").get(0), "alpha", 4)).tokenIds(), "replaced");
            assertTrue(engine.adapters().unload("beta"));
            InvalidRequestException notAdapter = assertThrows(InvalidRequestException.class,
                    () -> engine.adapters().load("config", folder().resolve("genai_config.json"), false));
            assertTrue(notAdapter.getMessage().contains("does not fit"), notAdapter.getMessage());
            InvalidRequestException missing = assertThrows(InvalidRequestException.class,
                    () -> engine.adapters().load("none", folder().resolve("no.onnx_adapter"), false));
            assertEquals("lora_path", missing.param());
            assertEquals(List.of("alpha"), engine.adapters().names());
        }
        // A graph whose cache grows by a copy each step decodes its batch in one run: no adapters there.
        try (ChatEngine engine = ChatFixture.engine(new ChatOptions(1, null, null, true, 0))) {
            InvalidRequestException unsupported = assertThrows(InvalidRequestException.class,
                    () -> engine.adapters().load("alpha", alpha, false));
            assertTrue(unsupported.getMessage().contains("GroupQueryAttention"), unsupported.getMessage());
        }
    }
}
