package io.quiver.runtime.lifecycle;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Samples out of Prometheus text, Quiver's and queue-proxy's alike. */
final class PrometheusText {
    static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)} (\\S+)$");

    private PrometheusText() {
    }

    /** Sum of a counter's samples by their status label (Quiver's status, queue-proxy's response_code). */
    static Map<String, Double> byCode(String text, String name) {
        Map<String, Double> out = new TreeMap<>();
        Pattern code = Pattern.compile("(?:^|,)(?:status|response_code)=\"(\\d+)\"");
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(name)) {
                Matcher c = code.matcher(m.group(2));
                if (c.find()) {
                    out.merge(c.group(1), Double.parseDouble(m.group(3)), Double::sum);
                }
            }
        }
        return out;
    }

    static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> out = new TreeMap<>();
        after.forEach((k, v) -> {
            double d = v - before.getOrDefault(k, 0.0);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    static double sum(String text, String name) {
        double total = 0;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(name)) {
                total += Double.parseDouble(m.group(3));
            }
        }
        return total;
    }

    /** The first sample of {@code name} carrying all {@code labels}; 0 if there is none. */
    static double value(String text, String name, String... labels) {
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(name)
                    && List.of(labels).stream().allMatch(l -> ("," + m.group(2) + ",").contains("," + l + ","))) {
                return Double.parseDouble(m.group(3));
            }
        }
        return 0;
    }
}
