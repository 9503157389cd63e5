package io.quiver.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.bench.results.SmallSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns result JSON files into {@code report.md} plus PNG charts next to it: latency CDFs and throughput vs
 * concurrency per route, the cold-start table and startup phases, every compare ratio, pods over time per KPA
 * trace, soak growth.
 */
public final class ReportBuilder {
    private final Path out;
    private final StringBuilder md = new StringBuilder();
    private final List<Path> charts = new ArrayList<>();

    public ReportBuilder(Path out) {
        this.out = out;
    }

    /** Writes the report for {@code results} (parsed JSON, each with a {@code kind}); returns report.md. */
    public Path write(List<JsonNode> results, String title) throws IOException {
        Files.createDirectories(out);
        md.append("# ").append(title).append("\n\n");
        load(of(results, "load"));
        compare(of(results, "compare"));
        startup(of(results, "startup"));
        kpa(of(results, "kpa"));
        soak(of(results, "soak"));
        Path report = out.resolve("report.md");
        Files.writeString(report, md.toString());
        return report;
    }

    public List<Path> charts() {
        return List.copyOf(charts);
    }

    private static List<JsonNode> of(List<JsonNode> results, String kind) {
        return results.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
    }

    private void load(List<JsonNode> runs) throws IOException {
        if (runs.isEmpty()) {
            return;
        }
        md.append("## Load\n\n| run | route | stream | prompts | c | req/s | out tok/s | tok/s per stream | TTFT p50 | "
                + "TTFT p99 | ITL p50 | e2e p50 | e2e p99 | errors |\n|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        Map<String, List<JsonNode>> byRoute = new LinkedHashMap<>();
        for (JsonNode run : runs) {
            byRoute.computeIfAbsent(run.path("route").asText(), k -> new ArrayList<>()).add(run);
            for (JsonNode l : run.path("levels")) {
                md.append(row(runName(run), run.path("route").asText(), run.path("stream").asText(),
                        run.path("promptSet").asText(), l.path("concurrency").asText(),
                        f(l.path("requestsPerSecond")), f(l.path("outputTokensPerSecond")),
                        f(l.path("streamTokensPerSecond")), ms(l.at("/ttft/p50")), ms(l.at("/ttft/p99")),
                        ms(l.at("/itl/p50")), ms(l.at("/e2e/p50")), ms(l.at("/e2e/p99")), l.path("errors").toString()));
            }
        }
        md.append('\n');
        for (Map.Entry<String, List<JsonNode>> route : byRoute.entrySet()) {
            List<Charts.Line> cdf = new ArrayList<>();
            List<Charts.Line> throughput = new ArrayList<>();
            boolean tokens = false;
            for (JsonNode run : route.getValue()) {
                String label = runName(run);
                List<Double> cs = new ArrayList<>();
                List<Double> tput = new ArrayList<>();
                for (JsonNode l : run.path("levels")) {
                    String metric = l.at("/ttft/count").asLong() > 0 && run.path("stream").asBoolean() ? "ttft" : "e2e";
                    cdf.add(cdfLine(label + " " + metric + " c=" + l.path("concurrency").asText(), l.path(metric)));
                    cs.add(l.path("concurrency").asDouble());
                    boolean gen = l.path("outputTokens").asLong() > 0;
                    tokens |= gen;
                    tput.add(gen ? l.path("outputTokensPerSecond").asDouble() : l.path("requestsPerSecond").asDouble());
                }
                throughput.add(new Charts.Line(label, arr(cs), arr(tput)));
            }
            chart("latency-cdf-" + route.getKey(), "Latency CDF, " + route.getKey(), "latency (ms)", "percentile",
                    cdf, true, false);
            chart("throughput-" + route.getKey(), "Throughput vs concurrency, " + route.getKey(), "concurrency",
                    tokens ? "output tokens/s" : "requests/s", throughput, false, false);
        }
    }

    /** The run's label and start time (UTC, hh:mm), so several runs of one route stay apart in tables and charts. */
    private static String runName(JsonNode run) {
        String started = run.path("startedAt").asText("");
        return run.path("label").asText() + (started.length() >= 16 ? " " + started.substring(11, 16) : "");
    }

    /** One table per comparison (Quiver side vs one peer) of each run, then the peers that could not start. */
    private void compare(List<JsonNode> runs) throws IOException {
        if (runs.isEmpty()) {
            return;
        }
        md.append("## Compare (pairs alternated in one run; ratio > 1: Quiver better)\n\n");
        for (JsonNode run : runs) {
            if (runs.size() > 1) {
                String options = run.at("/settings/quiver_jvm_options").asText("");
                md.append("### Run ").append(runName(run).strip())
                        .append(options.isEmpty() ? "" : ", Quiver with `" + options + "`").append("\n\n");
            }
            targets(run);
            Map<String, List<JsonNode>> byComparison = new LinkedHashMap<>();
            for (JsonNode p : run.path("pairs")) {
                byComparison.computeIfAbsent(comparison(p.path("name").asText()), k -> new ArrayList<>()).add(p);
            }
            for (Map.Entry<String, List<JsonNode>> c : byComparison.entrySet()) {
                md.append("### ").append(c.getKey()).append("\n\n| pair | metric | Quiver | peer | ratio | target | "
                        + "rounds |\n|---|---|--:|--:|--:|--:|--:|\n");
                for (JsonNode p : c.getValue()) {
                    String name = p.path("name").asText();
                    int colon = name.indexOf(": ");
                    md.append(row(colon > 0 ? name.substring(colon + 2) : name, p.path("metric").asText(),
                            f(p.path("quiver")), f(p.path("peer")),
                            String.format(Locale.ROOT, "%.2f×", p.path("ratio").asDouble()),
                            p.path("target").isMissingNode() || p.path("target").isNull() ? ""
                                    : "≥ " + f(p.path("target")) + "×",
                            p.path("rounds").asText()));
                }
                md.append('\n');
            }
            run.path("unavailable").properties().forEach(e -> md.append("- **").append(e.getKey())
                    .append("** could not start: ").append(e.getValue().asText()).append('\n'));
            JsonNode settings = run.path("settings");
            if (settings.has("load_average_at_start")) {
                md.append("\nLoad average: ").append(settings.path("load_average_at_start").asText())
                        .append(" at the start, ").append(settings.path("load_average_at_end").asText())
                        .append(" at the end.\n");
            }
            if (run.has("notes")) {
                md.append('\n').append(run.path("notes").asText()).append('\n');
            }
            md.append('\n');
            serverCharts(run, runs.size() > 1 ? "-" + runs.indexOf(run) : "");
        }
    }

    /**
     * A run's targets first, met or missed: every pair that has one (against a peer), then every check of Quiver
     * against itself in the same run, with the peer's same ratio for reference.
     */
    private void targets(JsonNode run) {
        List<JsonNode> aimed = new ArrayList<>();
        run.path("pairs").forEach(p -> {
            if (!p.path("target").isNull() && !p.path("target").isMissingNode()) {
                aimed.add(p);
            }
        });
        if (aimed.isEmpty() && run.path("checks").isEmpty()) {
            return;
        }
        md.append("### Targets\n\n| comparison and level | measure | Quiver | peer | ratio | target | met |\n"
                + "|---|---|--:|--:|--:|--:|---|\n");
        for (JsonNode p : aimed) {
            boolean met = p.path("ratio").asDouble() >= p.path("target").asDouble();
            md.append(row(p.path("name").asText(), p.path("metric").asText(), f(p.path("quiver")), f(p.path("peer")),
                    String.format(Locale.ROOT, "%.2f×", p.path("ratio").asDouble()), "≥ " + f(p.path("target")) + "×",
                    met ? "met" : "**missed**"));
        }
        for (JsonNode c : run.path("checks")) {
            boolean atMost = c.path("atMost").asBoolean();
            double q = c.path("quiver").asDouble();
            double limit = c.path("limit").asDouble();
            boolean met = q > 0 && (atMost ? q <= limit : q >= limit);
            md.append(row(c.path("name").asText(), c.path("measure").asText(),
                    String.format(Locale.ROOT, "%.2f×", q), c.path("peer").isNull() || c.path("peer").isMissingNode()
                            ? "" : String.format(Locale.ROOT, "%.2f×", c.path("peer").asDouble()), "",
                    (atMost ? "≤ " : "≥ ") + f(c.path("limit")) + "×", met ? "met" : "**missed**"));
        }
        md.append('\n');
    }

    /** "Quiver q4 vs llama-server Q4_1: 8 stream(s)" → its prefix; older names "chat 8 streams vs X" → "Quiver vs X". */
    static String comparison(String pairName) {
        int colon = pairName.indexOf(": ");
        if (colon > 0) {
            return pairName.substring(0, colon);
        }
        int vs = pairName.lastIndexOf(" vs ");
        return vs >= 0 ? "Quiver vs " + pairName.substring(vs + 4) : pairName;
    }

    /** A servers-suite run's chat levels: tokens/s and TTFT vs streams, every server on one chart each. */
    private void serverCharts(JsonNode run, String suffix) throws IOException {
        for (String[] m : new String[][] {{"output tokens/s", "tokens-per-second"}, {"TTFT p50 ms", "ttft-p50"}}) {
            List<Charts.Line> lines = ServerLines.of(run, m[0]);
            if (lines.isEmpty()) {
                continue;
            }
            String name = "servers-" + m[1] + suffix;
            chart(name, "Chat servers: " + m[0] + " vs streams (short prompts)", "streams", m[0], lines, true, false);
            md.append("![").append(m[0]).append(" vs streams](").append(name).append(".png)\n\n");
        }
    }

    /** The cold-start table (medians), then every measure of each result. */
    private void startup(List<JsonNode> runs) {
        if (runs.isEmpty()) {
            return;
        }
        md.append("## Startup\n\n").append(coldStartTable(runs)).append('\n');
        for (JsonNode run : runs) {
            md.append("### ").append(startupLabel(run)).append("\n\n| measure | runs | median ms | p90 ms | min | max |\n"
                    + "|---|--:|--:|--:|--:|--:|\n");
            run.path("summary").properties().forEach(e -> md.append(row(e.getKey(), e.getValue().path("n").asText(),
                    f(e.getValue().path("median")), f(e.getValue().path("p90")), f(e.getValue().path("min")),
                    f(e.getValue().path("max")))));
            md.append("\n`").append(run.path("command").asText()).append("`\n\n");
        }
    }

    /** Columns of the cold-start table: the key of each in a startup run, and its heading. */
    private static final String[][] COLD_START = {{"ready", "ready"}, {"first_answer", "first answer"},
            {"jvm", "JVM"}, {"framework", "framework"}, {"model_load", "session/load"}, {"warm_up", "warm-up"},
            {"rss_mb", "RSS MB"}, {"rss_anon_mb", "anon MB"}, {"rss_model_mb", "model mapped MB"}};

    /**
     * One row per server and model, precision, graph-cache and page-cache state, in the order they were run:
     * medians over the runs of every result with that key (a rerun adds its runs), ms from process start; "–"
     * where a server does not report the phase (peers report only ready and first answer).
     */
    static String coldStartTable(List<JsonNode> runs) {
        Map<List<String>, List<JsonNode>> rows = new LinkedHashMap<>();
        for (JsonNode run : runs) {
            String cache = run.path("graphCache").asText("");
            List<String> key = List.of(startupLabel(run), run.path("precision").asText(""),
                    cache.isBlank() ? "–" : cache, // a peer has none
                    run.path("pageCache").asText("warm")); // results from before the column were all warm
            run.path("runs").forEach(r -> rows.computeIfAbsent(key, k -> new ArrayList<>()).add(r));
        }
        StringBuilder t = new StringBuilder("Cold start, medians in ms from process start (ready: readiness probe "
                + "200; first answer: the first request answered; session/load: the model's load, ONNX Runtime "
                + "session included), and memory in MB once it answered (RSS; of it anonymous: heap, packed "
                + "weights, KV cache; the model's files mapped: shared with the page cache, reclaimable):\n\n"
                + "| server and model | precision | graph cache | page cache | runs |");
        for (String[] c : COLD_START) {
            t.append(' ').append(c[1]).append(" |");
        }
        t.append("\n|---|---|---|---|--:|").append("--:|".repeat(COLD_START.length)).append('\n');
        rows.forEach((key, measured) -> {
            List<String> cells = new ArrayList<>(key);
            cells.add(Integer.toString(measured.size()));
            for (String[] c : COLD_START) {
                List<Double> values = measured.stream().filter(r -> r.has(c[0])).map(r -> r.path(c[0]).asDouble())
                        .toList();
                cells.add(values.isEmpty() ? "–"
                        : String.format(Locale.ROOT, "%,.0f", SmallSample.of(values).median()));
            }
            t.append(row(cells.toArray(String[]::new)));
        });
        return t.toString();
    }

    /** The result's label; results from before labels name the command. */
    private static String startupLabel(JsonNode run) {
        String label = run.path("label").asText("");
        return label.isBlank() ? run.path("command").asText() : label;
    }

    private void kpa(List<JsonNode> runs) throws IOException {
        if (runs.isEmpty()) {
            return;
        }
        md.append("## KPA simulation\n\n| trace | requests | peak pods | cold starts | queue wait p50 | p99 | "
                + "pod-seconds | always-on | ratio | panic s |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (JsonNode r : runs) {
            double podSeconds = r.path("podSeconds").asDouble();
            double alwaysOn = r.path("alwaysOnPodSeconds").asDouble();
            md.append(row(r.path("trace").asText(), r.path("requests").asText(), r.path("peakPods").asText(),
                    r.path("coldStarts").asText(), ms(r.at("/queueWait/p50")), ms(r.at("/queueWait/p99")),
                    String.format(Locale.ROOT, "%.0f", podSeconds), String.format(Locale.ROOT, "%.0f", alwaysOn),
                    String.format(Locale.ROOT, "%.0f %%", alwaysOn == 0 ? 0 : 100 * podSeconds / alwaysOn),
                    String.format(Locale.ROOT, "%.0f", r.path("panicSeconds").asDouble())));
        }
        md.append('\n');
        List<JsonNode> compared = runs.stream().filter(r -> r.path("knative").isObject()).toList();
        if (!compared.isEmpty()) {
            md.append("Against Knative's own decider (bench/kpa-go, same concurrency and ready pods per tick):\n\n"
                    + "| trace | ticks | equal | differing | max difference | applied differs (why) |\n"
                    + "|---|--:|--:|--:|--:|---|\n");
            for (JsonNode r : compared) {
                JsonNode k = r.path("knative");
                int ticks = k.path("ticks").asInt();
                int equal = k.path("deciderEqual").asInt();
                md.append(row(r.path("trace").asText(), String.valueOf(ticks), String.valueOf(equal),
                        String.valueOf(ticks - equal), k.path("maxDeciderDifference").asText() + " pods",
                        k.path("appliedDiffering").toString()));
            }
            md.append('\n');
        }
        for (JsonNode r : runs) {
            String trace = r.path("trace").asText();
            List<Charts.Line> lines = new ArrayList<>();
            lines.add(column(trace + ": pods (all)", r.path("series"), 2));
            if (r.path("knative").isObject()) {
                lines.add(column("simulator: desired pods", r.at("/knative/rows"), 1));
                lines.add(column("Knative decider: desired pods", r.at("/knative/rows"), 3));
            }
            chart("kpa-pods-" + trace, "Pods over time, " + trace + " trace", "seconds", "pods", lines, false, true);
        }
    }

    /** One column of a table of rows {@code [t, ...]} as a line over t. */
    private static Charts.Line column(String name, JsonNode rows, int index) {
        List<Double> t = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        for (JsonNode row : rows) {
            t.add(row.get(0).asDouble());
            v.add(row.get(index).asDouble());
        }
        return new Charts.Line(name, arr(t), arr(v));
    }

    private void soak(List<JsonNode> runs) throws IOException {
        if (runs.isEmpty()) {
            return;
        }
        md.append("## Soak\n\n| run | minutes | verdict | decode steps | RSS MB, first → last third | allocation, first "
                + "→ last third | growth |\n|---|--:|---|--:|---|---|---|\n");
        for (JsonNode r : runs) {
            JsonNode l = r.path("levels");
            String allocation = l.has("allocation_kb_per_step_first")
                    ? String.format(Locale.ROOT, "%.1f → %.1f KB per decode step (%.1f MB/s)",
                    l.path("allocation_kb_per_step_first").asDouble(), l.path("allocation_kb_per_step_last").asDouble(),
                    l.path("allocation_mb_per_s").asDouble())
                    : l.has("allocation_mb_per_s_first") ? String.format(Locale.ROOT, "%.1f → %.1f MB/s",
                    l.path("allocation_mb_per_s_first").asDouble(), l.path("allocation_mb_per_s_last").asDouble()) : "";
            md.append(row(r.path("label").asText(), f(r.path("minutes")), r.path("verdict").asText(),
                    l.has("decode_steps") ? String.format(Locale.ROOT, "%,.0f", l.path("decode_steps").asDouble()) : "",
                    l.has("rss_first_mb") ? String.format(Locale.ROOT, "%.0f → %.0f", l.path("rss_first_mb").asDouble(),
                            l.path("rss_last_mb").asDouble()) : "", allocation, r.path("growth").toString()));
            List<Double> t = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            List<Double> rateT = new ArrayList<>();
            List<Double> rate = new ArrayList<>();
            JsonNode previous = null;
            for (JsonNode s : r.path("samples")) {
                t.add(s.path("seconds").asDouble());
                rss.add(s.path("rssMb").asDouble());
                double dt = previous == null ? 0 : s.path("seconds").asDouble() - previous.path("seconds").asDouble();
                if (dt > 0 && s.path("allocatedMb").asDouble(-1) >= 0 && previous.path("allocatedMb").asDouble(-1) >= 0) {
                    rateT.add(s.path("seconds").asDouble());
                    rate.add((s.path("allocatedMb").asDouble() - previous.path("allocatedMb").asDouble()) / dt);
                }
                previous = s;
            }
            chart("soak-rss-" + r.path("label").asText(), "Soak: resident memory", "seconds", "RSS (MB)",
                    List.of(new Charts.Line("rss", arr(t), arr(rss))), false, false);
            if (!rate.isEmpty()) {
                chart("soak-allocation-" + r.path("label").asText(), "Soak: JVM allocation rate", "seconds", "MB/s",
                        List.of(new Charts.Line("allocated", arr(rateT), arr(rate))), false, false);
            }
        }
        md.append('\n');
    }

    private void chart(String name, String title, String x, String y, List<Charts.Line> lines, boolean logX,
                       boolean stepped) throws IOException {
        Path png = out.resolve(name + ".png");
        Charts.save(png, title, x, y, lines, logX, stepped);
        charts.add(png);
        md.append("![").append(title).append("](").append(png.getFileName()).append(")\n\n");
    }

    private static Charts.Line cdfLine(String name, JsonNode summary) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (JsonNode point : summary.path("cdf")) {
            x.add(Math.max(0.01, point.get(1).asDouble()));
            y.add(point.get(0).asDouble());
        }
        return new Charts.Line(name, arr(x), arr(y));
    }

    private static double[] arr(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    private static String f(JsonNode n) {
        return String.format(Locale.ROOT, "%.2f", n.asDouble());
    }

    private static String ms(JsonNode n) {
        return n.isMissingNode() ? "" : String.format(Locale.ROOT, "%.1f ms", n.asDouble());
    }
}
