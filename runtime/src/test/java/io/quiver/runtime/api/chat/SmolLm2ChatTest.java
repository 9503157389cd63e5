package io.quiver.runtime.api.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.models.Fixtures;
import io.quiver.models.RealModels;
import io.quiver.runtime.Ready;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real chat model over HTTP: greedy answers of SmolLM2-135M-Instruct, rendered with its own ChatML template and
 * stopped by its own end token, equal transformers' text (fp32 graph) and onnxruntime Python's (4-bit graph).
 */
@QuarkusTest
@TestProfile(SmolLm2Profile.class)
class SmolLm2ChatTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNode GOLDEN = Fixtures.golden(RealModels.SMOLLM2);

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static ObjectNode greedyChat(String model, JsonNode c) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("temperature", 0)
                .put("max_tokens", GOLDEN.path("max_new_tokens").asInt());
        body.set("messages", c.path("messages"));
        return body;
    }

    static JsonNode post(ObjectNode body) {
        Response response = given().contentType("application/json").body(body.toString()).post("/v1/chat/completions");
        return JSON.valueToTree(response.then().statusCode(200).extract().as(Object.class));
    }

    static String finish(JsonNode ids) {
        int last = ids.get(ids.size() - 1).asInt();
        for (JsonNode eos : GOLDEN.path("eos_token_ids")) {
            if (eos.asInt() == last) {
                return "stop";
            }
        }
        return "length";
    }

    void assertAnswers(String model, String ids, String text) {
        for (JsonNode c : GOLDEN.path("cases")) {
            String name = c.path("name").asText();
            JsonNode r = post(greedyChat(model, c));
            JsonNode choice = r.at("/choices/0");
            assertEquals(c.path(text).asText(), choice.at("/message/content").asText(), name);
            assertEquals(finish(c.path(ids)), choice.path("finish_reason").asText(), name);
            assertEquals(c.path("prompt_ids").size(), r.at("/usage/prompt_tokens").asInt(), name);
            assertEquals(c.path(ids).size(), r.at("/usage/completion_tokens").asInt(), name);
        }
    }

    @Test
    void fp32AnswersEqualTransformers() {
        assertAnswers(SmolLm2Profile.FP32, "greedy_ids", "greedy_text");
    }

    @Test
    void q4AnswersEqualOnnxRuntimePython() {
        assertAnswers(SmolLm2Profile.Q4, "q4_greedy_ids", "q4_greedy_text");
    }

    @Test
    void theAnswersAreRealEnglish() {
        JsonNode capital = post(greedyChat(SmolLm2Profile.FP32, GOLDEN.at("/cases/0")));
        assertEquals("The capital of France is Paris.", capital.at("/choices/0/message/content").asText());
        assertEquals("stop", capital.at("/choices/0/finish_reason").asText());
        String sky = post(greedyChat(SmolLm2Profile.FP32, GOLDEN.at("/cases/1"))).at("/choices/0/message/content")
                .asText();
        for (String word : List.of("sky", "blue", "light", "scattering")) {
            assertTrue(sky.contains(word), word + " in: " + sky);
        }
    }

    @Test
    void streamedDeltasAddUpToTheSameAnswer() {
        JsonNode c = GOLDEN.at("/cases/2");
        ObjectNode body = greedyChat(SmolLm2Profile.FP32, c).put("stream", true);
        String stream = given().contentType("application/json").body(body.toString()).post("/v1/chat/completions")
                .then().statusCode(200).extract().asString();
        StringBuilder content = new StringBuilder();
        String finish = null;
        for (JsonNode chunk : SseEvents.parse(stream)) {
            content.append(chunk.at("/choices/0/delta/content").asText(""));
            if (chunk.at("/choices/0/finish_reason").isTextual()) {
                finish = chunk.at("/choices/0/finish_reason").asText();
            }
        }
        assertEquals(c.path("greedy_text").asText(), content.toString());
        assertEquals("stop", finish);
    }
}
