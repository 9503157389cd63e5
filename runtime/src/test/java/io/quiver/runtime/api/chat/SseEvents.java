package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** The JSON payloads of a server-sent event stream, without comments and the closing [DONE]. */
final class SseEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SseEvents() {
    }

    static List<JsonNode> parse(String stream) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : stream.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                try {
                    events.add(JSON.readTree(line.substring("data: ".length())));
                } catch (JsonProcessingException e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            }
        }
        return events;
    }
}
