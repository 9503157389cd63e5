package io.quiver.runtime.api.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** A stream of named server-sent events, as Anthropic's clients read it: each event's name must equal its type. */
final class NamedEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NamedEvents() {
    }

    static List<JsonNode> parse(String stream) {
        List<JsonNode> events = new ArrayList<>();
        for (String frame : stream.split("\n\n")) {
            if (frame.isBlank()) {
                continue;
            }
            String[] lines = frame.split("\n");
            assertEquals(2, lines.length, "an event is one event line and one data line: " + frame);
            String name = lines[0].substring("event: ".length());
            try {
                JsonNode data = JSON.readTree(lines[1].substring("data: ".length()));
                assertEquals(name, data.path("type").asText(), frame);
                events.add(data);
            } catch (Exception e) {
                throw new AssertionError("not an event: " + frame, e);
            }
        }
        return events;
    }

    /** The events' types in order. */
    /** {@code text} read as JSON, or the test fails saying what it was. */
    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText()).toList();
    }

    /** The text a stream's deltas of one kind add up to ({@code text} or {@code thinking}). */
    static String joined(List<JsonNode> events, String field) {
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events) {
            if (e.get("type").asText().equals("content_block_delta") && e.at("/delta/" + field).isTextual()) {
                text.append(e.at("/delta/" + field).asText());
            }
        }
        return text.toString();
    }
}
