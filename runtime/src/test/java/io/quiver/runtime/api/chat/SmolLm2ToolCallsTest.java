package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.runtime.Ready;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tool calls of a real model in {@code tool_choice: auto}: SmolLM2, shown Hermes' call format in its system turn,
 * answers "Let me check." and a call. Streamed, the text comes first and the call's arguments follow in fragments;
 * at every cut by {@code max_tokens} the stream adds up to the non-streamed answer; {@code parallel_tool_calls: false}
 * stops at the call's end.
 */
@QuarkusTest
@TestProfile(SmolLm2Profile.class)
class SmolLm2ToolCallsTest {
    static final String SYSTEM = """
            You can call tools. To call a tool, write <tool_call>{"name": "<tool>", "arguments": {...}}</tool_call>.
            Tools: get_weather(city): the current weather in a city.
            Example:
            User: What is the weather in Rome?
            Assistant: Let me check.
            <tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>""";

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static ObjectNode request() {
        ObjectNode body = SmolLm2ChatTest.JSON.createObjectNode().put("model", SmolLm2Profile.FP32)
                .put("temperature", 0).put("max_tokens", 80);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", SYSTEM);
        messages.addObject().put("role", "user").put("content", "What is the weather in Paris?");
        body.putArray("tools").addObject().put("type", "function").putObject("function").put("name", "get_weather")
                .set("parameters", StructuredOutputRoutesTest.json("{\"type\":\"object\",\"properties\":{\"city\":"
                        + "{\"type\":\"string\"}},\"required\":[\"city\"]}"));
        return body;
    }

    /** A non-streamed choice as {content, calls: [{name, arguments}], finish_reason}. */
    static JsonNode answer(ObjectNode body) {
        JsonNode choice = SmolLm2ChatTest.post(body).at("/choices/0");
        ObjectNode out = SmolLm2ChatTest.JSON.createObjectNode().put("content", choice.at("/message/content")
                .asText("")).put("finish_reason", choice.get("finish_reason").asText());
        ArrayNode calls = out.putArray("calls");
        choice.at("/message/tool_calls").forEach(c -> calls.addObject().put("name", c.at("/function/name").asText())
                .put("arguments", c.at("/function/arguments").asText()));
        return out;
    }

    static List<JsonNode> chunks(ObjectNode body) {
        return SseEvents.parse(ChatRoutesTest.post("/v1/chat/completions", body.deepCopy().put("stream", true))
                .then().statusCode(200).extract().asString());
    }

    /** A stream added up the way the SDKs do, in the shape of {@link #answer}. */
    static JsonNode assemble(List<JsonNode> chunks) {
        StringBuilder content = new StringBuilder();
        ObjectNode out = SmolLm2ChatTest.JSON.createObjectNode();
        ArrayNode calls = SmolLm2ChatTest.JSON.createArrayNode();
        for (JsonNode chunk : chunks) {
            JsonNode choice = chunk.at("/choices/0");
            content.append(choice.at("/delta/content").asText(""));
            for (JsonNode entry : choice.at("/delta/tool_calls")) {
                if (entry.has("id")) {
                    calls.addObject().put("name", entry.at("/function/name").asText()).put("arguments", "");
                }
                ObjectNode call = (ObjectNode) calls.get(entry.get("index").asInt());
                call.put("arguments", call.get("arguments").asText() + entry.at("/function/arguments").asText());
            }
            if (choice.hasNonNull("finish_reason")) {
                out.put("finish_reason", choice.get("finish_reason").asText());
            }
        }
        ObjectNode shaped = SmolLm2ChatTest.JSON.createObjectNode().put("content", content.toString())
                .put("finish_reason", out.path("finish_reason").asText());
        shaped.set("calls", calls);
        return shaped;
    }

    @Test
    void textStreamsFirstThenTheCallInFragments() {
        JsonNode whole = answer(request());
        assertEquals("Let me check.", whole.get("content").asText(), whole.toString());
        assertEquals("[{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}]",
                whole.get("calls").toString());
        assertEquals("tool_calls", whole.get("finish_reason").asText());
        List<JsonNode> chunks = chunks(request());
        assertEquals(whole, assemble(chunks));
        int firstCall = 0;
        while (chunks.get(firstCall).at("/choices/0/delta/tool_calls").isMissingNode()) {
            firstCall++;
        }
        assertFalse(chunks.get(firstCall - 1).at("/choices/0/delta/content").asText("").isEmpty(),
                "the text streamed before the call began: " + chunks);
        long fragments = chunks.stream().filter(c -> c.at("/choices/0/delta").has("tool_calls")).count();
        assertTrue(fragments > 3, "the arguments arrive as they decode: " + chunks);
        chunks.subList(firstCall, chunks.size()).forEach(c -> assertTrue(c.at("/choices/0/delta/content")
                .isMissingNode(), "no text after the call: " + c));
    }

    @Test
    void everyCutByMaxTokensStreamsWhatTheAnswerSays() {
        JsonNode all = SmolLm2ChatTest.post(request());
        ObjectNode single = request().put("parallel_tool_calls", false);
        JsonNode one = SmolLm2ChatTest.post(single);
        assertEquals(all.at("/choices/0/message/tool_calls/0/function"),
                one.at("/choices/0/message/tool_calls/0/function"));
        int tokens = one.at("/usage/completion_tokens").asInt();
        assertTrue(tokens < all.at("/usage/completion_tokens").asInt(), "one call: decoding stops at its end, "
                + one.get("usage") + " against " + all.get("usage"));
        boolean cutInACall = false;
        // Cuts before the name ends, inside the arguments, and in the end tag the call stops at.
        for (int limit = tokens - 9; limit < tokens; limit += 2) {
            ObjectNode cut = single.deepCopy().put("max_tokens", limit);
            JsonNode whole = answer(cut);
            assertEquals(whole, assemble(chunks(cut)), "max_tokens " + limit);
            cutInACall |= whole.get("finish_reason").asText().equals("length") && !whole.get("calls").isEmpty();
        }
        assertTrue(cutInACall, "some cut falls inside the call's arguments");
    }
}
