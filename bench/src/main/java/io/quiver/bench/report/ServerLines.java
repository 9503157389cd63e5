package io.quiver.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every server of one servers-suite run as a line of one chat metric against streams (short prompts): each peer,
 * and the Quiver that ran beside it (a fresh one per peer, so each is its own line).
 */
final class ServerLines {
    /** "Quiver q4 vs llama-server Q4_1: 8 stream(s)"; long-prompt levels carry a suffix and are left out. */
    private static final Pattern CHAT_PAIR = Pattern.compile("(.+) vs (.+): (\\d+) stream\\(s\\)");

    private ServerLines() {
    }

    static List<Charts.Line> of(JsonNode run, String metric) {
        Map<String, TreeMap<Integer, Double>> servers = new LinkedHashMap<>();
        for (JsonNode pair : run.path("pairs")) {
            Matcher m = CHAT_PAIR.matcher(pair.path("name").asText());
            if (!m.matches() || !pair.path("metric").asText().equals(metric)) {
                continue;
            }
            int streams = Integer.parseInt(m.group(3));
            servers.computeIfAbsent(m.group(1) + " (beside " + m.group(2) + ")", k -> new TreeMap<>())
                    .put(streams, pair.path("quiver").asDouble());
            servers.computeIfAbsent(m.group(2), k -> new TreeMap<>()).put(streams, pair.path("peer").asDouble());
        }
        List<Charts.Line> lines = new ArrayList<>();
        servers.forEach((server, points) -> lines.add(new Charts.Line(server,
                points.keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
                points.values().stream().mapToDouble(Double::doubleValue).toArray())));
        return lines;
    }
}
