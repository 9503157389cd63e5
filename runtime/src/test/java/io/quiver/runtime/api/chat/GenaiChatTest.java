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
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An onnxruntime-genai export over HTTP: the folder as the model builder wrote it, configured by path alone, answers
 * a greedy chat completion with onnxruntime-genai's own tokens; so does its {@code prune_lm_head} graph, which refuses
 * to score a prompt before the request takes a slot.
 */
@QuarkusTest
@TestProfile(GenaiProfile.class)
class GenaiChatTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNode GOLDEN = Fixtures.golden(GenaiProfile.FIXTURE);

    @Inject
    ModelRegistry registry;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @ParameterizedTest
    @ValueSource(strings = {GenaiProfile.MODEL, GenaiProfile.PRUNED})
    void greedyChatEqualsOnnxruntimeGenai(String model) {
        ChatEngine engine = registry.resolve(model, Set.of(ModelKind.CHAT), "test").engine(ChatEngine.class);
        int checked = 0;
        for (JsonNode c : GOLDEN.path("cases")) {
            if (!c.has("messages")) {
                continue;
            }
            JsonNode expected = c.path("genai_ids");
            ObjectNode body = JSON.createObjectNode().put("model", model).put("temperature", 0)
                    .put("max_tokens", expected.size()).put("ignore_eos", true);
            body.set("messages", c.path("messages"));
            JsonNode r = JSON.valueToTree(given().contentType("application/json").body(body.toString())
                    .post("/v1/chat/completions").then().statusCode(200).extract().as(Object.class));
            int[] ids = new int[expected.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = expected.get(i).asInt();
            }
            String name = c.path("name").asText();
            assertEquals(engine.decode(ids), r.at("/choices/0/message/content").asText(), name);
            assertEquals("length", r.at("/choices/0/finish_reason").asText(), name);
            assertEquals(c.path("prompt_ids").size(), r.at("/usage/prompt_tokens").asInt(), name);
            assertEquals(ids.length, r.at("/usage/completion_tokens").asInt(), name);
            checked++;
        }
        assertEquals(3, checked, "cases with messages");
    }

    @Test
    void aPrunedGraphRefusesToScoreThePromptBeforeAdmission() {
        String scored = "{\"model\":\"%s\",\"prompt\":\"hello there\",\"echo\":true,\"logprobs\":1,"
                + "\"max_tokens\":1}";
        double before = admissions();
        Response refused = given().contentType(ContentType.JSON).body(scored.formatted(GenaiProfile.PRUNED))
                .post("/v1/completions");
        assertEquals(400, refused.statusCode(), refused.asString());
        assertEquals("echo", refused.jsonPath().getString("error.param"), refused.asString());
        assertEquals(before, admissions(), "the refused request was admitted");

        // The same weights with every position's logits score it.
        Response answered = given().contentType(ContentType.JSON).body(scored.formatted(GenaiProfile.MODEL))
                .post("/v1/completions");
        assertEquals(200, answered.statusCode(), answered.asString());
        assertTrue(answered.jsonPath().getList("choices[0].logprobs.tokens").size() > 1, answered.asString());
    }

    private static double admissions() {
        return Prometheus.sum(Prometheus.scrape("/q/metrics"), "quiver_request_queue_seconds_count");
    }
}
