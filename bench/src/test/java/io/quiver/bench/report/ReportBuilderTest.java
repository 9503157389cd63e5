package io.quiver.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.bench.compare.CompareResult;
import io.quiver.bench.compare.PairResult;
import io.quiver.bench.compare.TargetCheck;
import io.quiver.bench.kpa.KnativeComparison;
import io.quiver.bench.kpa.KpaSettings;
import io.quiver.bench.kpa.KpaSimulator;
import io.quiver.bench.kpa.PodCapacity;
import io.quiver.bench.kpa.Trace;
import io.quiver.bench.load.LevelRecorder;
import io.quiver.bench.load.Outcome;
import io.quiver.bench.results.LevelResult;
import io.quiver.bench.results.LoadResult;
import io.quiver.bench.results.ResultsStore;
import io.quiver.bench.results.SmallSample;
import io.quiver.bench.startup.StartupResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Results → JSON → report: the Markdown names every run and ratio, and every chart is a readable PNG. */
class ReportBuilderTest {
    @TempDir
    Path dir;

    private static LevelResult level(int c, long e2eMs) {
        LevelRecorder r = new LevelRecorder();
        for (int i = 1; i <= 20; i++) {
            long e2e = (e2eMs + i) * 1_000_000L;
            r.record(new Outcome(200, null, e2e / 10, e2e, new long[] {e2e / 20}, 16, 30));
        }
        return r.result(c, 1.0);
    }

    @Test
    void writesTablesAndCharts() throws Exception {
        List<Object> results = List.of(
                new LoadResult("load", "quiver", "http://x", "chat", "m", true, "short", 16, "2026-11-23T10:32:58Z",
                        List.of(level(1, 100), level(8, 300))),
                // A second run of the same route and label: its own rows and chart series.
                new LoadResult("load", "quiver", "http://x", "chat", "m", true, "short", 16, "2026-11-23T11:35:15Z",
                        List.of(level(1, 90), level(8, 280))),
                new CompareResult("compare", "now", Map.of(), List.of(new PairResult("chat 8 streams vs llama.cpp",
                        "output tokens/s", true, 120, 100, 1.2, 1.0, 3, List.of(), List.of())), "a note", Map.of(),
                        List.of()),
                new CompareResult("compare", "now", Map.of("load_average_at_start", "3.1 2.0 1.0 (2 cpus)",
                        "load_average_at_end", "2.5 2.1 1.0 (2 cpus)"), List.of(
                        new PairResult("Quiver q4 vs llama-server Q4_1: 8 stream(s)", "output tokens/s", true, 90, 100,
                                0.9, null, 2, List.of(90.0, 91.0), List.of(100.0, 99.0)),
                        new PairResult("Quiver q4 vs llama-server Q4_1: 8 stream(s)", "TTFT p50 ms", false, 500, 250,
                                0.5, null, 2, List.of(500.0, 500.0), List.of(250.0, 250.0))), "servers",
                        Map.of("vLLM CPU fp32", "install failed: no wheel for this Python"),
                        List.of(new TargetCheck("Quiver builder int4 vs llama-server Q4_0: 8 stream(s) while long "
                                + "prompts join", "short streams' ITL p99 while long prompts join / steady ITL p50",
                                3.4, 2.1, 3.0, true))),
                new KpaSimulator(KpaSettings.defaults(8), PodCapacity.constant(0.5, 1), 1)
                        .run(Trace.burst(20, 5, 30, 100)).withKnative(new KnativeComparison(3, 2, 1,
                                Map.of("decider differs", 1), 0, 0,
                                List.of(new double[] {2, 1, 1, 1}, new double[] {4, 4, 4, 3},
                                        new double[] {6, 4, 4, 4}))));
        List<JsonNode> parsed = new ArrayList<>();
        for (Object r : results) { // through JSON, as the command reads them
            parsed.add(ResultsStore.JSON.readTree(ResultsStore.JSON.writeValueAsString(r)));
        }
        ReportBuilder builder = new ReportBuilder(dir);
        Path report = builder.write(parsed, "test");
        String md = Files.readString(report);
        assertTrue(md.contains("## Load") && md.contains("| quiver 10:32 | chat | true | short | 8 |")
                && md.contains("| quiver 11:35 | chat | true | short | 8 |"), md);
        assertTrue(md.contains("| chat 8 streams vs llama.cpp | output tokens/s | 120.00 | 100.00 | 1.20× | ≥ 1.00× | 3 |"), md);
        assertTrue(md.contains("### Quiver vs llama.cpp\n"), md);
        assertTrue(md.contains("### Quiver q4 vs llama-server Q4_1\n"), md);
        assertTrue(md.contains("| 8 stream(s) | output tokens/s | 90.00 | 100.00 | 0.90× |  | 2 |"), md);
        assertTrue(md.contains("| chat 8 streams vs llama.cpp | output tokens/s | 120.00 | 100.00 | 1.20× | ≥ 1.00× | "
                + "met |"), "targets first: " + md);
        assertTrue(md.contains("| Quiver builder int4 vs llama-server Q4_0: 8 stream(s) while long prompts join | "
                + "short streams' ITL p99 while long prompts join / steady ITL p50 | 3.40× | 2.10× |  | ≤ 3.00× | "
                + "**missed** |"), md);
        assertTrue(md.contains("- **vLLM CPU fp32** could not start: install failed: no wheel for this Python"), md);
        assertTrue(md.contains("Load average: 3.1 2.0 1.0 (2 cpus) at the start"), md);
        assertTrue(md.contains("| burst |"), md);
        assertTrue(md.contains("| burst | 3 | 2 | 1 | 1 pods | {\"decider differs\":1} |"), md);
        // load: latency CDF and throughput; the servers run: tokens/s and TTFT vs streams; KPA: pods.
        assertEquals(5, builder.charts().size());
        assertTrue(md.contains("![output tokens/s vs streams](servers-tokens-per-second-1.png)"), md);
        for (Path png : builder.charts()) {
            assertTrue(md.contains("(" + png.getFileName() + ")"));
            var image = ImageIO.read(png.toFile());
            assertEquals(900, image.getWidth());
        }
    }

    @Test
    void coldStartTableHasOneRowPerServerPrecisionAndCache() throws Exception {
        Map<String, Double> quiver1 = Map.of("ready", 28_100.0, "first_answer", 28_400.0, "first_request", 300.0,
                "jvm", 180.0, "framework", 700.0, "model_load", 26_000.0, "warm_up", 1_200.0, "rss_mb", 900.0,
                "rss_anon_mb", 400.0, "rss_model_mb", 450.0);
        Map<String, Double> quiver2 = Map.of("ready", 30_100.0, "first_answer", 30_500.0, "first_request", 400.0,
                "jvm", 200.0, "framework", 760.0, "model_load", 27_000.0, "warm_up", 1_400.0, "rss_mb", 1_000.0,
                "rss_anon_mb", 500.0, "rss_model_mb", 450.0);
        Map<String, Double> quiver3 = Map.of("ready", 29_000.0, "first_answer", 29_200.0, "first_request", 200.0,
                "jvm", 190.0, "framework", 720.0, "model_load", 26_500.0, "warm_up", 1_300.0, "rss_mb", 950.0,
                "rss_anon_mb", 450.0, "rss_model_mb", 450.0);
        List<Object> results = List.of(
                startup("Quiver r1 q4", "Quiver", "q4", "filled", "warm", List.of(quiver1, quiver2)),
                startup("llama-server r1 Q4_1", "llama-server", "Q4_1", "", "warm", List.of(
                        Map.of("ready", 2_000.0, "first_answer", 2_150.0, "first_request", 150.0))),
                startup("Quiver r1 q4", "Quiver", "q4", "off", "warm", List.of(quiver2)),
                // A rerun of the first: its runs join that row (medians of three).
                startup("Quiver r1 q4", "Quiver", "q4", "filled", "warm", List.of(quiver3)),
                // The same start with the page cache emptied first: a row of its own.
                startup("llama-server r1 Q4_1", "llama-server", "Q4_1", "", "cold", List.of(
                        Map.of("ready", 5_000.0, "first_answer", 5_200.0, "first_request", 200.0, "rss_mb", 800.0))));
        List<JsonNode> parsed = new ArrayList<>();
        for (Object r : results) {
            parsed.add(ResultsStore.JSON.readTree(ResultsStore.JSON.writeValueAsString(r)));
        }
        String md = Files.readString(new ReportBuilder(dir).write(parsed, "cold"));
        assertTrue(md.contains("| server and model | precision | graph cache | page cache | runs | ready | first answer "
                + "| JVM | framework | session/load | warm-up | RSS MB | anon MB | model mapped MB |\n"
                + "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
                + "| Quiver r1 q4 | q4 | filled | warm | 3 | 29,000 | 29,200 | 190 | 720 | 26,500 | 1,300 | 950 | 450 "
                + "| 450 |\n"
                + "| llama-server r1 Q4_1 | Q4_1 | – | warm | 1 | 2,000 | 2,150 | – | – | – | – | – | – | – |\n"
                + "| Quiver r1 q4 | q4 | off | warm | 1 | 30,100 | 30,500 | 200 | 760 | 27,000 | 1,400 | 1,000 | 500 "
                + "| 450 |\n"
                + "| llama-server r1 Q4_1 | Q4_1 | – | cold | 1 | 5,000 | 5,200 | – | – | – | – | 800 | – | – |\n"), md);
        assertTrue(md.contains("### llama-server r1 Q4_1\n"), md);
        assertTrue(md.contains("`llama-server -m r1.gguf`"), md);
    }

    private static StartupResult startup(String label, String server, String precision, String cache,
                                         String pageCache, List<Map<String, Double>> runs) {
        Map<String, SmallSample> summary = new TreeMap<>();
        runs.getFirst().keySet().forEach(k -> summary.put(k, SmallSample.of(runs.stream().map(r -> r.get(k)).toList())));
        return new StartupResult("startup", label, server, precision, cache, pageCache,
                server.equals("Quiver") ? "-jar quarkus-run.jar" : "llama-server -m r1.gguf", "chat", runs, summary);
    }
}
