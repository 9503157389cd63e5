package io.quiver.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The bodies the load client sends: fixed-length greedy generation, and structured outputs when asked for. */
class RequestSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aChatRequestCarriesTheResponseFormatItWasGiven() throws Exception {
        RequestSpec plain = new RequestSpec(Route.CHAT, "m", true, 64, null, 0);
        JsonNode body = JSON.readTree(plain.body("hi"));
        assertFalse(body.has("response_format"));
        assertEquals(64, body.path("max_tokens").asInt());
        assertEquals(true, body.path("ignore_eos").asBoolean());

        JsonNode json = JSON.readTree(plain.withResponseFormat("{\"type\":\"json_object\"}").body("hi"));
        assertEquals("json_object", json.at("/response_format/type").asText());
        assertThrows(IllegalArgumentException.class, () -> plain.withResponseFormat("{nope").body("hi"));
    }
}
