package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.models.Fixtures;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Ready;
import io.quiver.runtime.lifecycle.ModelRegistry;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Log probabilities on chat and legacy completions (streaming and not) and the legacy echo, in OpenAI's shapes,
 * against onnxruntime's Python session on the same graph (golden tiny-random-deepseek-r1-logprobs).
 */
@QuarkusTest
class LogprobsRoutesTest {
    static final String MODEL = ChatRoutesTest.MODEL;
    static final JsonNode GOLDEN = Fixtures.golden(MODEL + "-logprobs");
    static final JsonNode POSITIONS = GOLDEN.get("positions");
    static final int PROMPT = GOLDEN.get("prompt_ids").size();
    static final int COMPLETION = GOLDEN.get("completion_ids").size();
    static final double TOLERANCE = 1e-4;

    @Inject
    ModelRegistry registry;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    ChatEngine engine() {
        return registry.resolve(MODEL, Set.of(ModelKind.CHAT), "test").engine(ChatEngine.class);
    }

    String text(int id) {
        return new String(engine().tokenBytes(id), StandardCharsets.UTF_8);
    }

    static JsonNode body(Object request) {
        return ChatRoutesTest.JSON.valueToTree(ChatRoutesTest.post(request instanceof ObjectNode o
                && o.has("messages") ? "/v1/chat/completions" : "/v1/completions", request).then().statusCode(200)
                .extract().as(Object.class));
    }

    static ObjectNode chat(int top) {
        ObjectNode body = ChatRoutesTest.greedyChat(ChatRoutesTest.goldenCase(GOLDEN.get("case").asText()));
        return body.put("logprobs", true).put("top_logprobs", top);
    }

    static ObjectNode completion(int logprobs, int maxTokens, boolean echo) {
        ObjectNode body = ChatRoutesTest.JSON.createObjectNode().put("model", MODEL).put("temperature", 0)
                .put("max_tokens", maxTokens).put("ignore_eos", true).put("logprobs", logprobs).put("echo", echo);
        body.set("prompt", GOLDEN.get("prompt_ids"));
        return body;
    }

    /** A chat logprobs entry against the golden position: token, logprob, bytes, the alternatives. */
    void assertChatEntry(JsonNode entry, JsonNode expected, int top, String where) {
        int id = expected.get("next_id").asInt();
        assertEquals(text(id), entry.get("token").asText(), where);
        assertEquals(expected.get("logprob").asDouble(), entry.get("logprob").asDouble(), TOLERANCE, where);
        byte[] bytes = engine().tokenBytes(id);
        assertEquals(bytes.length, entry.get("bytes").size(), where);
        for (int b = 0; b < bytes.length; b++) {
            assertEquals(bytes[b] & 0xff, entry.get("bytes").get(b).asInt(), where);
        }
        assertEquals(top, entry.get("top_logprobs").size(), where);
        for (int k = 0; k < top; k++) {
            JsonNode alt = entry.get("top_logprobs").get(k);
            assertEquals(text(expected.get("top_ids").get(k).asInt()), alt.get("token").asText(), where);
            assertEquals(expected.get("top_logprobs").get(k).asDouble(), alt.get("logprob").asDouble(), TOLERANCE,
                    where);
            assertTrue(alt.get("bytes").isArray(), where);
        }
    }

    @Test
    void chatLogprobsMatchOnnxRuntime() {
        JsonNode content = body(chat(5)).at("/choices/0/logprobs/content");
        assertEquals(COMPLETION, content.size());
        for (int i = 0; i < COMPLETION; i++) {
            assertChatEntry(content.get(i), POSITIONS.get(PROMPT - 1 + i), 5, "token " + i);
        }
        JsonNode bare = body(chat(0)).at("/choices/0/logprobs/content/0");
        assertEquals(0, bare.get("top_logprobs").size());
        JsonNode off = body(chat(0).put("logprobs", false));
        assertTrue(off.at("/choices/0/logprobs").isNull(), "no logprobs unless asked");
    }

    @Test
    void streamedChatLogprobsAddUpToTheSameEntries() {
        String stream = ChatRoutesTest.post("/v1/chat/completions", chat(3).put("stream", true)).then()
                .statusCode(200).extract().asString();
        List<JsonNode> entries = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (JsonNode chunk : SseEvents.parse(stream)) {
            chunk.at("/choices/0/logprobs/content").forEach(entries::add);
            content.append(chunk.at("/choices/0/delta/content").asText(""));
        }
        assertEquals(COMPLETION, entries.size());
        StringBuilder tokens = new StringBuilder();
        for (int i = 0; i < COMPLETION; i++) {
            assertChatEntry(entries.get(i), POSITIONS.get(PROMPT - 1 + i), 3, "token " + i);
            tokens.append(entries.get(i).get("token").asText());
        }
        assertEquals(content.toString(), tokens.toString(), "the tokens spell the content");
    }

    /** Legacy logprobs: parallel lists; the chosen token is among the alternatives; offsets follow the tokens. */
    static void assertTextLogprobs(JsonNode lp, int from, int count, int top, boolean echoed, LogprobsRoutesTest t) {
        int offset = 0;
        for (int i = 0; i < count; i++) {
            String token = lp.get("tokens").get(i).asText();
            assertEquals(offset, lp.get("text_offset").get(i).asInt(), "offset " + i);
            offset += token.length();
            if (echoed && i == 0) {
                assertEquals(t.text(GOLDEN.get("prompt_ids").get(0).asInt()), token);
                assertTrue(lp.get("token_logprobs").get(0).isNull(), "the first prompt token has no logprob");
                assertTrue(lp.get("top_logprobs").get(0).isNull());
                continue;
            }
            JsonNode expected = POSITIONS.get(from + i - (echoed ? 1 : 0));
            assertEquals(t.text(expected.get("next_id").asInt()), token, "token " + i);
            assertEquals(expected.get("logprob").asDouble(), lp.get("token_logprobs").get(i).asDouble(), TOLERANCE);
            JsonNode alternatives = lp.get("top_logprobs").get(i);
            assertTrue(alternatives.size() >= top && alternatives.size() <= top + 1, "alternatives " + i);
            assertTrue(alternatives.has(token), "the chosen token is among the alternatives");
            for (int k = 0; k < top; k++) {
                String alt = t.text(expected.get("top_ids").get(k).asInt());
                assertEquals(expected.get("top_logprobs").get(k).asDouble(), alternatives.get(alt).asDouble(),
                        TOLERANCE);
            }
        }
    }

    @Test
    void completionLogprobsMatchOnnxRuntime() {
        JsonNode choice = body(completion(5, COMPLETION, false)).at("/choices/0");
        JsonNode lp = choice.get("logprobs");
        assertEquals(COMPLETION, lp.get("tokens").size());
        assertEquals(COMPLETION, lp.get("token_logprobs").size());
        assertEquals(COMPLETION, lp.get("text_offset").size());
        assertTextLogprobs(lp, PROMPT - 1, COMPLETION, 5, false, this);
    }

    @Test
    void echoScoresThePromptThenTheCompletion() {
        JsonNode r = body(completion(2, COMPLETION, true));
        JsonNode choice = r.at("/choices/0");
        JsonNode lp = choice.get("logprobs");
        assertEquals(PROMPT + COMPLETION, lp.get("tokens").size());
        assertTextLogprobs(lp, 0, PROMPT + COMPLETION, 2, true, this);
        int[] prompt = new int[PROMPT];
        for (int i = 0; i < PROMPT; i++) {
            prompt[i] = GOLDEN.get("prompt_ids").get(i).asInt();
        }
        assertTrue(choice.get("text").asText().startsWith(engine().decode(prompt)), "the text starts with the prompt");
        assertEquals(COMPLETION, r.at("/usage/completion_tokens").asInt());
    }

    @Test
    void echoWithZeroMaxTokensScoresThePromptAlone() {
        JsonNode r = body(completion(0, 0, true));
        JsonNode lp = r.at("/choices/0/logprobs");
        assertEquals(PROMPT, lp.get("tokens").size());
        assertTextLogprobs(lp, 0, PROMPT, 0, true, this);
        assertEquals("length", r.at("/choices/0/finish_reason").asText());
        assertEquals(0, r.at("/usage/completion_tokens").asInt());
        assertEquals(PROMPT, r.at("/usage/prompt_tokens").asInt());

        ObjectNode text = completion(0, 0, true);
        text.put("prompt", "The capital of France is");
        text.remove("logprobs");
        JsonNode plain = body(text);
        assertEquals("The capital of France is", plain.at("/choices/0/text").asText(), "echo alone: the prompt");
        assertTrue(plain.at("/choices/0/logprobs").isNull());
    }

    @Test
    void streamedEchoSendsThePromptFirstAndOffsetsRunOn() {
        String stream = ChatRoutesTest.post("/v1/completions", completion(1, COMPLETION, true).put("stream", true))
                .then().statusCode(200).extract().asString();
        List<JsonNode> chunks = SseEvents.parse(stream);
        ObjectNode merged = ChatRoutesTest.JSON.createObjectNode();
        for (String field : List.of("tokens", "token_logprobs", "top_logprobs", "text_offset")) {
            ArrayNode all = merged.putArray(field);
            for (JsonNode chunk : chunks) {
                chunk.at("/choices/0/logprobs/" + field).forEach(all::add);
            }
        }
        assertEquals(PROMPT, chunks.getFirst().at("/choices/0/logprobs/tokens").size(), "the prompt comes first");
        assertEquals(PROMPT + COMPLETION, merged.get("tokens").size());
        assertTextLogprobs(merged, 0, PROMPT + COMPLETION, 1, true, this);
    }
}
