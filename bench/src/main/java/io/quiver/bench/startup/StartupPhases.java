package io.quiver.bench.startup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Startup phases as the server reports them: its log lines {@code startup phase <name>: <n> ms (...)} and the
 * Prometheus gauge {@code quiver_startup_seconds{phase="<name>",...} <seconds>}. Both in milliseconds.
 * {@link #breakdown} turns the log into the cold-start table's columns.
 */
public final class StartupPhases {
    /** Process start → {@code main()} entered (the server's {@code startup phase launch} line). */
    public static final String JVM = "jvm";
    /** {@code main()} → the HTTP server listening (Quarkus' {@code Listening on} line). */
    public static final String FRAMEWORK = "framework";
    /** The slowest model's load (tokenizer and ONNX Runtime session), without warm-up. */
    public static final String MODEL_LOAD = "model_load";
    /** The slowest model's warm-up. */
    public static final String WARM_UP = "warm_up";
    /**
     * Prefix of a load's parts as its warm line lists them ({@code load.session}, {@code load.tokenizer}, ...), the
     * largest over the models.
     */
    public static final String LOAD_PART = "load.";

    /** A console line and when the bench read it, in ms since the process started. */
    public record Line(double ms, String text) {
    }

    private static final Pattern LOG = Pattern.compile("startup phase ([\\w.-]+): (\\d+) ms");
    private static final Pattern WARM = Pattern.compile("model \\S+ warm: loaded in (\\d+) ms, warmed in (\\d+) ms");
    /** "(runtime 3 ms, session 812 ms, ...)" after the warm line's placement. */
    private static final Pattern PARTS = Pattern.compile("\\(([\\w-]+ \\d+ ms(?:, [\\w-]+ \\d+ ms)*)\\)$");
    private static final Pattern METRIC = Pattern.compile(
            "^quiver_startup_seconds\\{[^}]*phase=\"([^\"]+)\"[^}]*}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);

    private StartupPhases() {
    }

    public static Map<String, Double> fromLog(List<String> lines) {
        Map<String, Double> phases = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = LOG.matcher(line);
            if (m.find()) {
                phases.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return phases;
    }

    /**
     * JVM and framework from when their lines came (a build that logs no {@code launch} line has neither), model
     * load and warm-up from the {@code model <name> warm: loaded in N ms, warmed in N ms} lines (the slowest), and
     * the load's parts those lines end with ({@link #LOAD_PART}).
     */
    public static Map<String, Double> breakdown(List<Line> lines) {
        Map<String, Double> phases = new LinkedHashMap<>();
        Double launch = null;
        for (Line line : lines) {
            if (launch == null && line.text().contains("startup phase launch")) {
                launch = line.ms();
                phases.put(JVM, launch);
            } else if (launch != null && !phases.containsKey(FRAMEWORK) && line.text().contains("Listening on")) {
                phases.put(FRAMEWORK, line.ms() - launch);
            }
            Matcher m = WARM.matcher(line.text());
            if (m.find()) {
                phases.merge(MODEL_LOAD, Double.parseDouble(m.group(1)), Math::max);
                phases.merge(WARM_UP, Double.parseDouble(m.group(2)), Math::max);
                Matcher parts = PARTS.matcher(line.text().strip());
                if (parts.find()) {
                    for (String part : parts.group(1).split(", ")) {
                        String[] f = part.split(" ");
                        phases.merge(LOAD_PART + f[0], Double.parseDouble(f[1]), Math::max);
                    }
                }
            }
        }
        return phases;
    }

    public static Map<String, Double> fromMetrics(String prometheusText) {
        Map<String, Double> phases = new LinkedHashMap<>();
        Matcher m = METRIC.matcher(prometheusText);
        while (m.find()) {
            phases.put(m.group(1), Double.parseDouble(m.group(2)) * 1e3);
        }
        return phases;
    }
}
