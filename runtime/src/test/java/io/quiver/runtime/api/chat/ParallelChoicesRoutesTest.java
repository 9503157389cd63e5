package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code n} choices per prompt on chat and legacy completions, streaming and not. */
@QuarkusTest
class ParallelChoicesRoutesTest {
    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static JsonNode body(String route, ObjectNode request) {
        return ChatRoutesTest.JSON.valueToTree(ChatRoutesTest.post(route, request).then().statusCode(200).extract()
                .as(Object.class));
    }

    @Test
    void greedyChoicesAllMatchTheReferenceAndThePromptCountsOnce() {
        JsonNode c = ChatRoutesTest.goldenCase("system_user");
        JsonNode r = body("/v1/chat/completions", ChatRoutesTest.greedyChat(c).put("n", 3));
        JsonNode choices = r.get("choices");
        assertEquals(3, choices.size());
        String first = choices.get(0).at("/message/content").asText();
        for (int i = 0; i < 3; i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
            assertEquals(first, choices.get(i).at("/message/content").asText());
        }
        assertEquals(c.get("prompt_ids").size(), r.at("/usage/prompt_tokens").asInt(), "one prompt, one prefill");
        assertEquals(3 * c.get("greedy_ids").size(), r.at("/usage/completion_tokens").asInt());
        assertEquals(0, admission.running());
    }

    @Test
    void sampledChoicesDifferAndTheFirstIsTheSingleAnswer() {
        JsonNode c = ChatRoutesTest.goldenCase("user_long");
        ObjectNode request = ChatRoutesTest.greedyChat(c).put("temperature", 1.0).put("seed", 9).put("max_tokens", 10);
        JsonNode single = body("/v1/chat/completions", request.deepCopy());
        JsonNode two = body("/v1/chat/completions", request.put("n", 2).put("logprobs", true));
        assertEquals(single.at("/choices/0/message/content"), two.at("/choices/0/message/content"));
        assertNotEquals(two.at("/choices/0/message/content"), two.at("/choices/1/message/content"));
        assertEquals(10, two.at("/choices/1/logprobs/content").size(), "each choice scores its own tokens");
    }

    @Test
    void streamedChoicesCarryTheirIndex() {
        JsonNode c = ChatRoutesTest.goldenCase("user_long");
        ObjectNode request = ChatRoutesTest.greedyChat(c).put("temperature", 1.0).put("seed", 3).put("max_tokens", 8)
                .put("n", 2);
        JsonNode whole = body("/v1/chat/completions", request.deepCopy());
        request.put("stream", true).putObject("stream_options").put("include_usage", true);
        String stream = ChatRoutesTest.post("/v1/chat/completions", request).then().statusCode(200).extract()
                .asString();
        StringBuilder[] content = {new StringBuilder(), new StringBuilder()};
        String[] finish = new String[2];
        int roles = 0;
        List<JsonNode> chunks = SseEvents.parse(stream);
        for (JsonNode chunk : chunks) {
            for (JsonNode choice : chunk.get("choices")) {
                int index = choice.get("index").asInt();
                content[index].append(choice.at("/delta/content").asText(""));
                roles += choice.at("/delta/role").isTextual() ? 1 : 0;
                if (choice.get("finish_reason").isTextual()) {
                    finish[index] = choice.get("finish_reason").asText();
                }
            }
        }
        assertEquals(2, roles);
        for (int i = 0; i < 2; i++) {
            assertEquals(whole.at("/choices/" + i + "/message/content").asText(), content[i].toString());
            assertEquals("length", finish[i]);
        }
        assertEquals(16, chunks.getLast().at("/usage/completion_tokens").asInt());
    }

    @Test
    void legacyChoicesRunPromptByPrompt() {
        ObjectNode request = ChatRoutesTest.JSON.createObjectNode().put("model", ChatRoutesTest.MODEL)
                .put("temperature", 0).put("max_tokens", 4).put("ignore_eos", true).put("n", 2);
        request.putArray("prompt").add("Once upon a time").add("The answer is");
        JsonNode choices = body("/v1/completions", request).get("choices");
        assertEquals(4, choices.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
        }
        assertEquals(choices.get(0).get("text"), choices.get(1).get("text"));
        assertEquals(choices.get(2).get("text"), choices.get(3).get("text"));
        assertNotEquals(choices.get(0).get("text"), choices.get(2).get("text"));
    }
}
