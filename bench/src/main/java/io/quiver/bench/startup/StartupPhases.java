package io.quiver.bench.startup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Startup phases as the server reports them: its log lines {@code startup phase <name>: <n> ms (...)} and the
 * Prometheus gauge {@code quiver_startup_seconds{phase="<name>",...} <seconds>}. Both in milliseconds.
 */
public final class StartupPhases {
    private static final Pattern LOG = Pattern.compile("startup phase ([\\w.-]+): (\\d+) ms");
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

    public static Map<String, Double> fromMetrics(String prometheusText) {
        Map<String, Double> phases = new LinkedHashMap<>();
        Matcher m = METRIC.matcher(prometheusText);
        while (m.find()) {
            phases.put(m.group(1), Double.parseDouble(m.group(2)) * 1e3);
        }
        return phases;
    }
}
