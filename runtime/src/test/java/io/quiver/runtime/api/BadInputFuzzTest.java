package io.quiver.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every inference route against broken envelopes (bad JSON, wrong content type, invalid UTF-8, wrong top-level
 * type), then a seeded fuzzer that mutates valid requests field by field: never a 500, always an OpenAI-shaped
 * error, and afterwards nothing running or waiting and a normal request still answered.
 */
@QuarkusTest
class BadInputFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** A small valid request per route; the fuzzer mutates these. */
    static final Map<String, String> VALID = Map.of(
            "/v1/chat/completions", """
                    {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"hi"}],"max_tokens":3,
                     "temperature":0.7,"top_p":0.9,"seed":1,"stop":["x"]}""",
            "/v1/completions", """
                    {"model":"tiny-random-deepseek-r1","prompt":"hi","max_tokens":3,"top_k":5,"min_p":0.1}""",
            "/v1/responses", """
                    {"model":"tiny-random-deepseek-r1","instructions":"Be brief.","input":[{"role":"user",
                     "content":[{"type":"input_text","text":"hi"}]},{"type":"function_call","call_id":"c1",
                     "name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"1"}],
                     "tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"tool_choice":"auto",
                     "max_output_tokens":3,"temperature":0.7,"text":{"format":{"type":"text"}},"store":false}""",
            "/v1/embeddings", """
                    {"model":"all-minilm-l6-v2","input":["a","b"],"encoding_format":"float"}""",
            "/v1/images/generations", """
                    {"model":"tiny-random-sd","prompt":"x","n":1,"size":"64x64","num_inference_steps":1,
                     "guidance_scale":2}""",
            "/embed", """
                    {"inputs":["a"]}""",
            "/predict", """
                    {"inputs":"a"}""",
            "/rerank", """
                    {"query":"q","texts":["a","b"]}""");

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static Response post(String route, String contentType, byte[] body) {
        return given().contentType(contentType).body(body).post(route);
    }

    static void assertOpenAiError(Response r, String context) {
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, context + " -> " + r.statusCode() + " "
                + r.asString());
        JsonNode error = readTree(r.asString()).path("error");
        assertTrue(error.path("message").isTextual(), context + " -> " + r.asString());
        assertFalse(r.asString().contains("\tat "), "stack trace leaked: " + r.asString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/embeddings",
            "/v1/images/generations", "/embed", "/predict", "/rerank"})
    void brokenEnvelopes(String route) {
        List<byte[]> bodies = List.of("{\"model\":".getBytes(), "not json at all".getBytes(), "[1,2,3]".getBytes(),
                "\"a string\"".getBytes(), "".getBytes(),
                new byte[] {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"',
                        '}'});
        for (byte[] body : bodies) {
            Response r = post(route, "application/json", body);
            assertEquals(400, r.statusCode(), route + " " + new String(body) + " -> " + r.asString());
            assertOpenAiError(r, route);
        }
        Response wrongType = post(route, "text/plain", VALID.get(route).getBytes());
        assertEquals(400, wrongType.statusCode(), wrongType.asString());
        assertOpenAiError(wrongType, route + " text/plain");
        settled();
    }

    @Test
    void mutatedRequestsNeverBreakTheServer() {
        Random random = new Random(20261123);
        List<String> routes = new ArrayList<>(VALID.keySet());
        routes.sort(String::compareTo);
        int mutations = 0;
        for (String route : routes) {
            ObjectNode valid = (ObjectNode) readTree(VALID.get(route));
            List<String> fields = new ArrayList<>();
            valid.fieldNames().forEachRemaining(fields::add);
            for (int i = 0; i < 25; i++) {
                ObjectNode request = valid.deepCopy();
                String field = fields.get(random.nextInt(fields.size()));
                request.set(field, mutant(random));
                Response r = post(route, "application/json", request.toString().getBytes());
                String context = route + " " + request;
                assertTrue(r.statusCode() != 500 && r.statusCode() < 600, context + " -> " + r.statusCode() + " "
                        + r.asString());
                if (r.statusCode() != 200) {
                    assertOpenAiError(r, context);
                }
                mutations++;
            }
        }
        assertEquals(200, mutations);
        settled();
        post("/v1/embeddings", "application/json", VALID.get("/v1/embeddings").getBytes()).then().statusCode(200);
    }

    /** A value of a random, mostly wrong, type or range. */
    static JsonNode mutant(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.numberNode(-random.nextInt(1_000_000));
            case 2 -> NODES.numberNode(Long.MAX_VALUE);
            case 3 -> NODES.numberNode(random.nextDouble() * 1e9);
            case 4 -> NODES.textNode("");
            case 5 -> NODES.textNode("x".repeat(random.nextInt(5000)));
            case 6 -> NODES.booleanNode(random.nextBoolean());
            case 7 -> NODES.objectNode().put("nested", 1);
            case 8 -> NODES.arrayNode();
            case 9 -> {
                ArrayNode mixed = NODES.arrayNode();
                mixed.add(1).add("a").add(NODES.nullNode()).add(NODES.objectNode());
                yield mixed;
            }
            case 10 -> NODES.numberNode(Double.NaN);
            default -> NODES.textNode("\uD83D\uDE00 \u0000 \\u0000 <think>");
        };
    }

    void settled() {
        assertEquals(0, admission.running());
        assertEquals(0, admission.waiting());
    }

    static JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
