package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.MemoryNeed;
import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.MemoryEstimate;
import io.quiver.models.ModelKind;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every graph of onnx-community's layout — Optimum's fp32 export and its fp16, int8, q4 and q4f16 variants from
 * onnxruntime's converters and quantisers, and the same for the R1-Distill-Llama architecture — loaded through the
 * chat loader by its dtype name, serving a batch: greedy ids equal the reference token for token (fp32:
 * transformers on the same weights; the others: onnxruntime's Python session on the same graph), and the memory
 * estimate reads the graph's own weights and cache type.
 */
class ExportedGraphsTest {
    static Stream<Arguments> graphs() {
        return Stream.of(
                Arguments.of("tiny-random-deepseek-r1-variants", "tiny-random-deepseek-r1", "fp32"),
                Arguments.of("tiny-random-deepseek-r1-variants", "tiny-random-deepseek-r1", "fp16"),
                Arguments.of("tiny-random-deepseek-r1-variants", "tiny-random-deepseek-r1", "int8"),
                Arguments.of("tiny-random-deepseek-r1-variants", "tiny-random-deepseek-r1", "q4"),
                Arguments.of("tiny-random-deepseek-r1-variants", "tiny-random-deepseek-r1", "q4f16"),
                Arguments.of("tiny-random-r1-llama", "tiny-random-r1-llama", "fp32"));
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("graphs")
    void greedyIdsEqualTheReference(String fixture, String goldenName, String dtype) throws Exception {
        JsonNode golden = Fixtures.golden(goldenName);
        int tokens = golden.path("greedy_tokens").asInt();
        List<JsonNode> cases = greedyCases(golden);
        // Dynamic int8 quantisation scales each activation tensor by its own range, so rows of one batch change
        // each other's rounding: the reference ran one sequence at a time, and so must this.
        int cap = dtype.equals("int8") ? 1 : 3;
        try (ChatEngine engine = ChatEngine.load(Fixtures.testModel(fixture), Placement.CPU,
                new ChatOptions(cap, dtype, null, true, 0))) {
            Recorder[] runs = new Recorder[cases.size()];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = new Recorder().submitTo(engine,
                        ChatFixture.greedy(ChatFixture.ints(cases.get(i).path("prompt_ids")), tokens));
            }
            for (int i = 0; i < runs.length; i++) {
                JsonNode c = cases.get(i);
                JsonNode expected = dtype.equals("fp32") ? c.path("greedy_ids")
                        : c.path("onnxruntime_ids").path(goldenKey(dtype));
                assertEquals(tokens, expected.size(), "golden " + c.path("name").asText() + " " + goldenKey(dtype)
                        + " (int8 ids are recorded per kind of CPU: regenerate the fixtures on one of this kind)");
                assertEquals(FinishReason.LENGTH, runs[i].await());
                assertArrayEquals(ChatFixture.ints(expected), runs[i].idArray(), c.path("name").asText());
            }
            assertEquals(cap, engine.peakRunning(), "sequences at once");
        }
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("graphs")
    void memoryEstimateReadsTheChosenGraph(String fixture, String goldenName, String dtype) {
        JsonNode graph = Fixtures.golden(goldenName).path("graphs").path(dtype);
        Path folder = Fixtures.testModel(fixture);
        MemoryNeed need = MemoryEstimate.of(folder, ModelKind.CHAT, dtype, 64, 2);
        assertEquals(graph.path("weight_bytes").asLong(), need.weightsBytes(), "onnx's count of the graph's tensors");
        JsonNode config = Fixtures.golden(goldenName).path("config");
        int elementBytes = graph.path("kv_type").asText().equals("float16") ? 2 : 4;
        assertEquals(2L * config.path("num_hidden_layers").asInt() * config.path("num_key_value_heads").asInt()
                * config.path("head_dim").asInt() * elementBytes * 64 * 2, need.kvCacheBytes());
        try (ChatEngine engine = ChatEngine.load(folder, Placement.CPU, new ChatOptions(1, dtype, null, true, 0))) {
            assertEquals(need.kvCacheBytes(), engine.kvBytesPerToken() * 64 * 2, "the session's own cache layout");
        }
    }

    /** int8 greedy ids depend on the CPU ({@link Fixtures#cpuIsa}), recorded per kind; the rest do not. */
    static String goldenKey(String dtype) {
        return dtype.equals("int8") ? dtype + "@" + Fixtures.cpuIsa() : dtype;
    }

    private static List<JsonNode> greedyCases(JsonNode golden) {
        return StreamSupport.stream(golden.path("cases").spliterator(), false).filter(c -> c.has("greedy_ids"))
                .toList();
    }
}
