package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Prompts prefilled a chunk per step give the references' greedy ids token for token: onnxruntime-genai's own
 * generator for the builder's graph (the cache written in place), alone and with rows joining and leaving while
 * others prefill; transformers for the Optimum graph (the cache that grows).
 */
class ChunkedPrefillTest {
    private static final JsonNode GENAI = GenaiExportTest.GOLDEN;

    private static List<JsonNode> genaiCases() {
        List<JsonNode> cases = new ArrayList<>();
        GENAI.path("cases").forEach(cases::add);
        return cases;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7})
    void inPlaceCacheAloneEqualsOnnxruntimeGenai(int chunk) throws Exception {
        int tokens = GENAI.path("greedy_tokens").asInt();
        try (ChatEngine engine = ChatEngine.load(GenaiExportTest.folder(), Placement.CPU,
                new ChatOptions(1, null, null, true, 0).withPrefillChunk(chunk).withPrefixCaching(false))) {
            for (JsonNode c : genaiCases()) {
                GenerationResult result = engine.generate(ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")),
                        tokens));
                assertArrayEquals(ChatFixture.ints(c.path("genai_ids")), result.tokenIds(), c.path("name").asText());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5})
    void inPlaceCacheBatchedWhileOthersPrefillEqualsOnnxruntimeGenai(int chunk) throws Exception {
        // Three rows at a time, each asking three tokens fewer than the one before: rows leave mid-run, the next
        // prompts prefill chunk by chunk between decode steps and join, and slots are swapped into the decode range.
        int tokens = GENAI.path("greedy_tokens").asInt();
        List<JsonNode> cases = genaiCases();
        try (ChatEngine engine = ChatEngine.load(GenaiExportTest.folder(), Placement.CPU,
                new ChatOptions(3, null, null, true, 0).withPrefillChunk(chunk).withPrefixCaching(false))) {
            Recorder[] runs = new Recorder[cases.size() * 2];
            for (int i = 0; i < runs.length; i++) {
                JsonNode c = cases.get(i % cases.size());
                runs[i] = new Recorder().submitTo(engine,
                        ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")), tokens - 3 * (i % 5)));
            }
            for (int i = 0; i < runs.length; i++) {
                JsonNode c = cases.get(i % cases.size());
                assertEquals(FinishReason.LENGTH, runs[i].await());
                assertArrayEquals(Arrays.copyOf(ChatFixture.ints(c.path("genai_ids")), tokens - 3 * (i % 5)),
                        runs[i].idArray(), c.path("name").asText() + " #" + i);
            }
            assertEquals(3, engine.peakRunning());
            assertEquals(0, engine.running());
            assertEquals(0.0, engine.kvCacheUsage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void growingCacheEqualsTransformers(int chunk) throws Exception {
        int tokens = ChatFixture.GOLDEN.path("greedy_tokens").asInt();
        try (ChatEngine engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2).withPrefillChunk(chunk))) {
            List<Recorder> runs = new ArrayList<>();
            for (JsonNode c : ChatFixture.greedyCases()) {
                runs.add(new Recorder().submitTo(engine, ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")),
                        tokens)));
            }
            int i = 0;
            for (JsonNode c : ChatFixture.greedyCases()) {
                assertEquals(FinishReason.LENGTH, runs.get(i).await());
                assertArrayEquals(ChatFixture.ints(c.path("greedy_ids")), runs.get(i++).idArray(),
                        c.path("name").asText());
            }
            assertTrue(engine.stats().prefills() >= ChatFixture.greedyCases().size());
        }
    }
}
