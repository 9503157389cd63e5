package io.quiver.runtime.api.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.runtime.Ready;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Log probabilities of a real model: greedy picks the top alternative; echo scores sentences as lm-eval does. */
@QuarkusTest
@TestProfile(SmolLm2Profile.class)
class SmolLm2LogprobsTest {
    @BeforeEach
    void ready() {
        Ready.await();
    }

    static JsonNode post(String route, ObjectNode body) {
        return SmolLm2ChatTest.JSON.valueToTree(given().contentType("application/json").body(body.toString())
                .post(route).then().statusCode(200).extract().as(Object.class));
    }

    @Test
    void greedyTokensAreTheTopAlternativeAndSpellTheAnswer() {
        ObjectNode body = SmolLm2ChatTest.greedyChat(SmolLm2Profile.FP32, SmolLm2ChatTest.GOLDEN.at("/cases/0"))
                .put("logprobs", true).put("top_logprobs", 2);
        JsonNode r = post("/v1/chat/completions", body);
        JsonNode content = r.at("/choices/0/logprobs/content");
        assertEquals(r.at("/usage/completion_tokens").asInt(), content.size(), "every token, the end token too");
        StringBuilder spelled = new StringBuilder();
        for (JsonNode t : content) {
            assertEquals(t.at("/top_logprobs/0/token").asText(), t.get("token").asText());
            assertEquals(t.at("/top_logprobs/0/logprob").asDouble(), t.get("logprob").asDouble(), 1e-6);
            assertTrue(t.at("/top_logprobs/1/logprob").asDouble() <= t.get("logprob").asDouble());
            spelled.append(t.get("token").asText());
        }
        String answer = r.at("/choices/0/message/content").asText();
        assertEquals("The capital of France is Paris.", answer);
        assertTrue(spelled.toString().startsWith(answer), spelled.toString());
        JsonNode paris = content.get(5);
        assertEquals(" Paris", paris.get("token").asText());
        assertTrue(paris.get("logprob").asDouble() > Math.log(0.5), "the model is sure: " + paris);
    }

    double sentence(String text) {
        ObjectNode body = SmolLm2ChatTest.JSON.createObjectNode().put("model", SmolLm2Profile.FP32)
                .put("prompt", text).put("max_tokens", 0).put("echo", true).put("logprobs", 0);
        JsonNode lp = post("/v1/completions", body).at("/choices/0/logprobs");
        double sum = 0;
        for (int i = 1; i < lp.get("token_logprobs").size(); i++) {
            sum += lp.get("token_logprobs").get(i).asDouble();
        }
        assertTrue(lp.get("token_logprobs").get(0).isNull());
        return sum;
    }

    @Test
    void echoScoresTheTrueSentenceHigher() {
        double paris = sentence("The capital of France is Paris");
        double london = sentence("The capital of France is London");
        assertTrue(paris > london + 1, paris + " vs " + london);
    }
}
