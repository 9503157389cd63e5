package io.quiver.runtime.api.messages;

import static io.quiver.runtime.api.messages.NamedEvents.json;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/messages} and {@code /v1/messages/count_tokens} on the fixtures: the message object and the stream's
 * event sequence (which add up to the same greedy answer), thinking blocks from the R1 template, forced tool use and
 * its result rendered back, stop sequences, an output schema, token counts equal to the message's input tokens.
 */
@QuarkusTest
class MessagesRoutesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "tiny-random-deepseek-r1";
    static final String WEATHER = """
            {"name":"weather","description":"Current weather","input_schema":{"type":"object",
             "properties":{"city":{"type":"string","maxLength":10},"unit":{"enum":["c","f"]}},
             "required":["city","unit"],"additionalProperties":false}}""";

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static ObjectNode request(String model, int maxTokens) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("max_tokens", maxTokens)
                .put("temperature", 0.0);
        body.put("system", "Answer briefly.");
        body.putArray("messages").addObject().put("role", "user").put("content", "Why is the sky blue?");
        return body;
    }

    static Response post(String path, JsonNode body) {
        return given().contentType(ContentType.JSON).header("anthropic-version", "2023-06-01").body(body.toString())
                .post(path);
    }

    static JsonNode message(JsonNode body) {
        Response r = post("/v1/messages", body);
        assertEquals(200, r.statusCode(), r.asString());
        return json(r.asString());
    }

    static List<JsonNode> stream(ObjectNode body) {
        Response r = post("/v1/messages", body.deepCopy().put("stream", true));
        assertEquals(200, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith("text/event-stream"), r.contentType());
        return NamedEvents.parse(r.asString());
    }

    @Test
    void aMessageHasAnthropicsShape() {
        JsonNode m = message(request(MODEL, 6));
        assertTrue(m.get("id").asText().startsWith("msg_"), m.toString());
        assertEquals("message", m.get("type").asText());
        assertEquals("assistant", m.get("role").asText());
        assertEquals(MODEL, m.get("model").asText());
        assertEquals("max_tokens", m.get("stop_reason").asText());
        assertTrue(m.get("stop_sequence").isNull());
        assertEquals(6, m.at("/usage/output_tokens").asInt());
        assertTrue(m.at("/usage/input_tokens").asInt() > 5, m.toString());
        assertEquals(1, m.get("content").size(), m.toString());
        assertEquals("text", m.at("/content/0/type").asText());
        assertFalse(m.at("/content/0/text").asText().isEmpty());
    }

    @Test
    void theStreamIsAnthropicsEventSequenceAndAddsUpToTheMessage() {
        ObjectNode body = request(MODEL, 8);
        JsonNode whole = message(body);
        List<JsonNode> events = stream(body);
        List<String> types = NamedEvents.types(events);
        assertEquals("message_start", types.getFirst(), types.toString());
        assertEquals(List.of("content_block_stop", "message_delta", "message_stop"),
                types.subList(types.size() - 3, types.size()), types.toString());
        assertEquals("content_block_start", types.get(1), types.toString());
        JsonNode start = events.getFirst().get("message");
        assertTrue(start.get("stop_reason").isNull());
        assertEquals(0, start.get("content").size());
        assertEquals(whole.at("/usage/input_tokens").asInt(), start.at("/usage/input_tokens").asInt());
        JsonNode delta = events.get(events.size() - 2);
        assertEquals("max_tokens", delta.at("/delta/stop_reason").asText());
        assertEquals(8, delta.at("/usage/output_tokens").asInt());
        assertEquals(whole.at("/content/0/text").asText(), NamedEvents.joined(events, "text"));
        for (JsonNode e : events) {
            if (e.get("type").asText().startsWith("content_block")) {
                assertEquals(0, e.get("index").asInt(), e.toString());
            }
        }
    }

    @Test
    void reasoningIsThinkingBlocksUnlessThinkingIsDisabled() {
        ObjectNode body = request("r1-think", 24);
        body.putObject("thinking").put("type", "enabled").put("budget_tokens", 16);
        JsonNode m = message(body);
        assertEquals("thinking", m.at("/content/0/type").asText(), m.toString());
        assertFalse(m.at("/content/0/thinking").asText().isEmpty());
        assertEquals("", m.at("/content/0/signature").asText());
        List<JsonNode> events = stream(body);
        assertEquals(m.at("/content/0/thinking").asText(), NamedEvents.joined(events, "thinking"));
        assertEquals("thinking", events.get(1).at("/content_block/type").asText());

        body.putObject("thinking").put("type", "disabled");
        JsonNode hidden = message(body);
        for (JsonNode block : hidden.get("content")) {
            assertNotEquals("thinking", block.get("type").asText(), hidden.toString());
        }
        assertEquals(24, hidden.at("/usage/output_tokens").asInt(), "the reasoning still counts");
        assertFalse(NamedEvents.types(stream(body)).isEmpty());
        assertTrue(NamedEvents.joined(stream(body), "thinking").isEmpty());
    }

    @Test
    void aForcedToolUseAndItsResultRoundTrip() {
        ObjectNode body = request(MODEL, 200);
        body.putArray("tools").add(json(WEATHER));
        body.putObject("tool_choice").put("type", "tool").put("name", "weather");
        JsonNode m = message(body);
        assertEquals("tool_use", m.get("stop_reason").asText(), m.toString());
        JsonNode use = m.get("content").get(m.get("content").size() - 1);
        assertEquals("tool_use", use.get("type").asText(), m.toString());
        assertEquals("weather", use.get("name").asText());
        assertTrue(use.get("id").asText().startsWith("toolu_"), use.toString());
        assertTrue(use.at("/input/city").isTextual() && use.at("/input/unit").isTextual(), use.toString());

        // The call streams as it decodes: its block starts, then its input comes in many fragments that add up to
        // the message's input.
        List<JsonNode> events = stream(body);
        JsonNode started = events.stream().filter(e -> e.at("/content_block/type").asText().equals("tool_use"))
                .findFirst().orElseThrow(() -> new AssertionError(events.toString()));
        assertEquals(0, started.at("/content_block/input").size());
        assertEquals("weather", started.at("/content_block/name").asText());
        assertTrue(started.at("/content_block/id").asText().startsWith("toolu_"), started.toString());
        List<JsonNode> fragments = events.stream().filter(e -> e.at("/delta/type").asText().equals("input_json_delta"))
                .toList();
        assertTrue(fragments.size() > 2, "the input streams in fragments: " + fragments);
        fragments.forEach(f -> assertEquals(started.get("index"), f.get("index"), f.toString()));
        assertEquals(use.get("input"), json(NamedEvents.joined(events, "partial_json")));
        assertEquals("tool_use", events.get(events.size() - 2).at("/delta/stop_reason").asText());

        ObjectNode followUp = request(MODEL, 4);
        followUp.putArray("tools").add(json(WEATHER));
        var messages = followUp.withArray("messages");
        messages.addObject().put("role", "assistant").set("content", m.get("content"));
        ObjectNode result = messages.addObject().put("role", "user").putArray("content").addObject()
                .put("type", "tool_result").put("tool_use_id", use.get("id").asText());
        result.putArray("content").addObject().put("type", "text").put("text", "18 degrees, sunny");
        JsonNode answer = message(followUp);
        assertEquals("max_tokens", answer.get("stop_reason").asText(), answer.toString());
        JsonNode first = post("/v1/messages/count_tokens", request(MODEL, 4).without(List.of("max_tokens",
                "temperature"))).then().statusCode(200).extract().as(JsonNode.class);
        assertTrue(answer.at("/usage/input_tokens").asInt() > first.get("input_tokens").asInt() + 10,
                "the call and its result are in the prompt: " + answer + " vs " + first);
    }

    @Test
    void aStopSequenceEndsTheMessageAndIsNamed() {
        String text = message(request(MODEL, 24)).at("/content/0/text").asText();
        int at = -1;
        String stop = null;
        for (int i = 2; i + 3 <= text.length() && stop == null; i++) {
            String candidate = text.substring(i, i + 3);
            if (text.indexOf(candidate) == i && !candidate.isBlank()) {
                at = i;
                stop = candidate;
            }
        }
        assertTrue(stop != null, "no stop candidate in " + text);
        ObjectNode body = request(MODEL, 24);
        body.putArray("stop_sequences").add("never appears \u0001").add(stop);
        JsonNode m = message(body);
        assertEquals("stop_sequence", m.get("stop_reason").asText(), m.toString());
        assertEquals(stop, m.get("stop_sequence").asText());
        assertEquals(text.substring(0, at), m.at("/content/0/text").asText());
        List<JsonNode> events = stream(body);
        JsonNode delta = events.get(events.size() - 2);
        assertEquals("stop_sequence", delta.at("/delta/stop_reason").asText(), delta.toString());
        assertEquals(stop, delta.at("/delta/stop_sequence").asText());
    }

    @Test
    void anOutputFormatConstrainsTheAnswerToItsSchema() {
        ObjectNode body = request(MODEL, 40);
        body.putObject("output_config").putObject("format").put("type", "json_schema").set("schema", json("""
                {"type":"object","properties":{"digit":{"type":"integer","minimum":0,"maximum":9}},
                 "required":["digit"],"additionalProperties":false}"""));
        JsonNode m = message(body);
        assertEquals("end_turn", m.get("stop_reason").asText(), m.toString());
        JsonNode answer = json(m.at("/content/0/text").asText());
        assertEquals(1, answer.size(), answer.toString());
        assertTrue(answer.get("digit").isInt() && answer.get("digit").asInt() >= 0 && answer.get("digit").asInt() <= 9,
                answer.toString());
        assertEquals(m.at("/content/0/text").asText(), NamedEvents.joined(stream(body), "text"));
    }

    @Test
    void countTokensIsTheMessagesInputTokens() {
        List<ObjectNode> bodies = new ArrayList<>();
        bodies.add(request(MODEL, 3));
        ObjectNode tools = request(MODEL, 3);
        tools.putArray("tools").add(json(WEATHER));
        bodies.add(tools);
        ObjectNode blocks = request("r1-think", 3);
        blocks.putArray("system").addObject().put("type", "text").put("text", "Be brief.");
        blocks.withArray("messages").addObject().put("role", "assistant").putArray("content").addObject()
                .put("type", "text").put("text", "Rayleigh scattering.");
        blocks.withArray("messages").addObject().put("role", "user").put("content", "Say more.");
        bodies.add(blocks);
        for (ObjectNode body : bodies) {
            int used = message(body).at("/usage/input_tokens").asInt();
            JsonNode count = post("/v1/messages/count_tokens", body.deepCopy().without(List.of("max_tokens",
                    "temperature"))).then().statusCode(200).extract().as(JsonNode.class);
            assertEquals(used, count.get("input_tokens").asInt(), body.toString());
        }
    }
}
