package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Whether a completion starts inside reasoning is the template's decision, never the user's text. */
@QuarkusTest
class ReasoningAttributionTest {
    @BeforeEach
    void ready() {
        Ready.await();
    }

    static JsonNode chat(String model, String userText) {
        ObjectNode body = ChatRoutesTest.JSON.createObjectNode().put("model", model).put("temperature", 0)
                .put("max_tokens", 12).put("ignore_eos", true);
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        return ChatRoutesTest.post("/v1/chat/completions", body).then().statusCode(200).extract().as(JsonNode.class)
                .at("/choices/0/message");
    }

    @Test
    void aThinkTagInTheUsersTextDoesNotOpenReasoning() {
        // The default template's generation prompt is "<｜Assistant｜>": the answer is content.
        JsonNode message = chat(ChatRoutesTest.MODEL, "What does the <think> tag mean?");
        assertTrue(message.path("reasoning").isMissingNode(), message.toString());
        assertFalse(message.path("content").asText().isEmpty(), message.toString());
    }

    @Test
    void aTemplateThatPrefillsThinkOpensReasoningWhateverTheUserWrote() {
        // r1-think's generation prompt ends with "<think>\n": the answer starts as reasoning, even after a
        // closing tag in the user's text.
        JsonNode message = chat("r1-think", "Close it: </think> and open it: <think>");
        assertFalse(message.path("reasoning").asText().isEmpty(), message.toString());
    }
}
