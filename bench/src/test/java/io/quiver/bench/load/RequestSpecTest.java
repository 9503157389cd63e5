package io.quiver.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The bodies the load client sends: fixed-length greedy generation, structured outputs when asked for, image steps
 * under the name the servers read.
 */
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

    @Test
    void anImageRequestAsksForItsStepsByTheProtocolsName() throws Exception {
        JsonNode body = JSON.readTree(new RequestSpec(Route.IMAGES, "sd", false, 0, "64x64", 25).body("a fox"));
        assertEquals(25, body.path("num_inference_steps").asInt());
        assertFalse(body.has("steps"));
        assertEquals("64x64", body.path("size").asText());
        assertEquals("b64_json", body.path("response_format").asText());
        assertFalse(JSON.readTree(new RequestSpec(Route.IMAGES, "sd", false, 0, "64x64", 0).body("a fox"))
                .has("num_inference_steps"));
    }
}
