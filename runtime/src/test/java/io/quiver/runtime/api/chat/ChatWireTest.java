package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How chat chunks carry streamed tool calls and reasoning, without a model: the text of a Hermes answer cut into
 * pieces as tokens would cut it, and what a client adds up from the chunks against the non-streamed message.
 */
class ChatWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "I will check.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": "
            + "{\"city\": \"Paris\", \"unit\": \"c\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"ping\", "
            + "\"arguments\": {}}\n</tool_call>";

    static ToolUse tools(Boolean parallel) {
        JsonNode tools = json("[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":"
                + "{\"type\":\"object\"}}},{\"type\":\"function\",\"function\":{\"name\":\"ping\"}}]");
        return ToolUse.of(tools, null, parallel);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Wire.Header header(ToolUse tools) {
        return new Wire.Header("chatcmpl-1", 0, "m", TokenScores.none(1), tools);
    }

    /** The stream's chunks for the answer cut every {@code step} characters, then the finish. */
    static List<JsonNode> stream(ChatWire wire, Wire.Header h, String text, int step, FinishReason reason) {
        List<JsonNode> chunks = new ArrayList<>();
        for (int i = 0; i < text.length(); i += step) {
            Object chunk = wire.delta(h, 0, new Delta("", text.substring(i, Math.min(text.length(), i + step)), 1,
                    new int[] {1}));
            if (chunk != null) {
                chunks.add(JSON.valueToTree(chunk));
            }
        }
        chunks.add(JSON.valueToTree(wire.finish(h, 0, reason)));
        return chunks;
    }

    /** What the OpenAI SDKs' accumulators make of the chunks: content, and each call's id, name and arguments. */
    static JsonNode accumulate(List<JsonNode> chunks) {
        StringBuilder content = new StringBuilder();
        List<String[]> calls = new ArrayList<>();
        String finish = null;
        for (JsonNode chunk : chunks) {
            JsonNode choice = chunk.at("/choices/0");
            content.append(choice.at("/delta/content").asText(""));
            for (JsonNode call : choice.at("/delta/tool_calls")) {
                int index = call.get("index").asInt();
                if (index == calls.size()) {
                    assertTrue(call.has("id") && call.get("type").asText().equals("function")
                            && call.at("/function/arguments").isTextual(), "a call's first entry: " + call);
                    calls.add(new String[] {call.get("id").asText(), call.at("/function/name").asText(), ""});
                } else {
                    assertEquals(calls.size() - 1, index, "fragments of the call that started last");
                    assertFalse(call.has("id") || call.has("type") || call.at("/function").has("name"),
                            "a later entry carries its fragment alone: " + call);
                }
                calls.get(index)[2] += call.at("/function/arguments").asText();
            }
            if (!choice.path("finish_reason").isNull() && !choice.path("finish_reason").isMissingNode()) {
                finish = choice.get("finish_reason").asText();
            }
        }
        var out = JSON.createObjectNode().put("content", content.toString()).put("finish_reason", finish);
        var list = out.putArray("tool_calls");
        calls.forEach(c -> list.addObject().put("name", c[1]).put("arguments", c[2]));
        return out;
    }

    static JsonNode completion(ChatWire wire, ToolUse tools, String text, FinishReason reason) {
        JsonNode body = JSON.valueToTree(wire.completion(header(tools), List.of(new Completions.Choice(0, "", text,
                new int[0], reason, List.of(), null, 0)), new Usage(1, 1)));
        JsonNode choice = body.at("/choices/0");
        var out = JSON.createObjectNode().put("content", choice.at("/message/content").asText(""))
                .put("finish_reason", choice.get("finish_reason").asText());
        var list = out.putArray("tool_calls");
        choice.at("/message/tool_calls").forEach(c -> {
            assertTrue(c.get("id").asText().startsWith("call_") && !c.has("index"), c.toString());
            list.addObject().put("name", c.at("/function/name").asText())
                    .put("arguments", c.at("/function/arguments").asText());
        });
        return out;
    }

    @Test
    void streamedCallsAddUpToTheNonStreamedMessage() {
        ChatWire wire = new ChatWire(ReasoningField.REASONING);
        JsonNode whole = completion(wire, tools(null), ANSWER, FinishReason.STOP);
        assertEquals("I will check.", whole.get("content").asText());
        assertEquals("tool_calls", whole.get("finish_reason").asText());
        assertEquals("[{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\",\\\"unit\\\":\\\"c\\\"}\"},"
                + "{\"name\":\"ping\",\"arguments\":\"{}\"}]", whole.get("tool_calls").toString());
        for (int step : new int[] {1, 3, 7, ANSWER.length()}) {
            ToolUse tools = tools(null);
            List<JsonNode> chunks = stream(wire, header(tools), ANSWER, step, FinishReason.STOP);
            assertEquals(whole, accumulate(chunks), "pieces of " + step);
            assertTrue(chunks.getLast().at("/choices/0/delta").isEmpty(), "the finish adds nothing: "
                    + chunks.getLast());
        }
        List<JsonNode> chunks = stream(wire, header(tools(null)), ANSWER, 1, FinishReason.STOP);
        int firstCall = 0;
        while (chunks.get(firstCall).at("/choices/0/delta/tool_calls").isMissingNode()) {
            firstCall++;
        }
        assertTrue(chunks.size() - firstCall > 10, "the arguments stream over many chunks, not one at the end");
    }

    @Test
    void parallelCallsFalseKeepsTheFirst() {
        ChatWire wire = new ChatWire(ReasoningField.REASONING);
        JsonNode one = accumulate(stream(wire, header(tools(false)), ANSWER, 5, FinishReason.STOP));
        assertEquals(1, one.get("tool_calls").size(), one.toString());
        assertEquals(one, completion(wire, tools(false), ANSWER, FinishReason.STOP));
    }

    @Test
    void aCallCutByTheLengthLimitEndsWithLength() {
        ChatWire wire = new ChatWire(ReasoningField.REASONING);
        String cut = ANSWER.substring(0, ANSWER.indexOf("Paris") + 2);
        JsonNode streamed = accumulate(stream(wire, header(tools(null)), cut, 4, FinishReason.LENGTH));
        assertEquals("length", streamed.get("finish_reason").asText());
        assertEquals("{\"city\":\"Pa", streamed.at("/tool_calls/0/arguments").asText());
        assertEquals(streamed, completion(wire, tools(null), cut, FinishReason.LENGTH));
    }

    @Test
    void reasoningGoesToTheFieldsTheSettingNames() {
        for (ReasoningField field : ReasoningField.values()) {
            ChatWire wire = new ChatWire(field);
            JsonNode message = JSON.valueToTree(wire.completion(header(null), List.of(new Completions.Choice(0,
                    "Hm.", "4", new int[0], FinishReason.STOP, List.of(), null, 2)), new Usage(1, 2)))
                    .at("/choices/0/message");
            JsonNode delta = JSON.valueToTree(wire.delta(header(null), 0, new Delta("Hm.", "", 1, new int[] {1})))
                    .at("/choices/0/delta");
            for (JsonNode m : List.of(message, delta)) {
                assertEquals(field != ReasoningField.REASONING_CONTENT, m.has("reasoning"), field + ": " + m);
                assertEquals(field != ReasoningField.REASONING, m.has("reasoning_content"), field + ": " + m);
                m.properties().stream().filter(e -> e.getKey().startsWith("reasoning"))
                        .forEach(e -> assertEquals("Hm.", e.getValue().asText()));
            }
        }
        assertEquals(ReasoningField.REASONING_CONTENT, ReasoningField.of("reasoning_content"));
    }
}
