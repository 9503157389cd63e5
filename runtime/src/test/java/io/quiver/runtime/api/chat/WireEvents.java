package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** What a {@link Wire} returned for one answer, as the JSON events a stream sends, in order. */
public final class WireEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WireEvents() {
    }

    /** Each returned object is an event or a list of them; null returns sent nothing. */
    public static List<JsonNode> of(List<Object> returned) {
        List<JsonNode> events = new ArrayList<>();
        for (Object o : returned) {
            if (o instanceof List<?> list) {
                list.forEach(e -> events.add(JSON.valueToTree(e)));
            } else if (o != null) {
                events.add(JSON.valueToTree(o));
            }
        }
        return events;
    }
}
