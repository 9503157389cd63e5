package io.quiver.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Messages routes against a seeded fuzzer that replaces one field of a valid request (top-level or nested: a
 * block, a tool's schema, the tool choice, the thinking budget) with a value of a random, mostly wrong, type: never
 * a 500, every refusal in Anthropic's error shape, and afterwards nothing running or waiting.
 */
@QuarkusTest
class MessagesFuzzTest {
    private static final String VALID = """
            {"model":"tiny-random-deepseek-r1","max_tokens":3,"temperature":0.5,"top_p":0.9,"top_k":5,
             "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":"Weather?"},
              {"role":"assistant","content":[{"type":"text","text":"Let me look."},
               {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"},
               {"type":"text","text":"And tomorrow?"}]}],
             "tools":[{"name":"weather","description":"Weather","input_schema":{"type":"object",
              "properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"auto"},"thinking":{"type":"enabled","budget_tokens":2},
             "stop_sequences":["\\n\\n"],"metadata":{"user_id":"u"},"stream":false}""";
    private static final List<String> FIELDS = List.of("/model", "/max_tokens", "/temperature", "/top_p", "/top_k",
            "/system", "/system/0/text", "/messages", "/messages/0", "/messages/0/role", "/messages/0/content",
            "/messages/1/content/1/input", "/messages/1/content/1/id", "/messages/2/content/0/content",
            "/messages/2/content/0/tool_use_id", "/messages/2/content/1/type", "/tools", "/tools/0/input_schema",
            "/tools/0/name", "/tool_choice", "/tool_choice/type", "/thinking", "/thinking/budget_tokens",
            "/stop_sequences", "/metadata", "/stream");

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void mutatedRequestsAreAnsweredOrRefusedInAnthropicsShape() {
        Random random = new Random(20260207);
        JsonNode valid = BadInputFuzzTest.readTree(VALID);
        assertEquals(200, post("/v1/messages", valid).statusCode(), "the request the fuzzer starts from is valid");
        int answered = 0;
        for (String route : List.of("/v1/messages", "/v1/messages/count_tokens")) {
            for (String field : FIELDS) {
                for (int i = 0; i < 6; i++) {
                    ObjectNode request = valid.deepCopy();
                    if (route.endsWith("count_tokens")) {
                        request.remove(List.of("max_tokens", "temperature", "top_p", "top_k", "stop_sequences",
                                "metadata", "stream"));
                    }
                    JsonNode at = request.at(field);
                    if (at.isMissingNode()) {
                        continue;
                    }
                    int cut = field.lastIndexOf('/');
                    JsonNode parent = cut == 0 ? request : request.at(field.substring(0, cut));
                    String key = field.substring(cut + 1);
                    JsonNode mutant = BadInputFuzzTest.mutant(random);
                    if (parent.isArray()) {
                        ((com.fasterxml.jackson.databind.node.ArrayNode) parent).set(Integer.parseInt(key), mutant);
                    } else {
                        ((ObjectNode) parent).set(key, mutant);
                    }
                    Response r = post(route, request);
                    String context = route + " " + request;
                    assertTrue(r.statusCode() == 200 || r.statusCode() >= 400 && r.statusCode() < 500,
                            context + " -> " + r.statusCode() + " " + r.asString());
                    if (r.statusCode() == 200) {
                        answered++;
                    } else {
                        JsonNode body = BadInputFuzzTest.readTree(r.asString());
                        assertEquals("error", body.path("type").asText(), context + " -> " + r.asString());
                        assertTrue(body.at("/error/type").isTextual() && body.at("/error/message").isTextual(),
                                context + " -> " + r.asString());
                        assertFalse(r.asString().contains("\tat "), "stack trace leaked: " + r.asString());
                    }
                }
            }
        }
        assertTrue(answered > 0, "some mutants are still valid requests");
        assertEquals(0, admission.running());
        assertEquals(0, admission.waiting());
    }

    private static Response post(String route, JsonNode body) {
        return given().contentType(ContentType.JSON).body(body.toString()).post(route);
    }
}
