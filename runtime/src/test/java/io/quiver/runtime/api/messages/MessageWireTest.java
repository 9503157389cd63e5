package io.quiver.runtime.api.messages;

import static io.quiver.runtime.api.messages.NamedEvents.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.chat.ToolUse;
import io.quiver.runtime.api.chat.Wire;
import io.quiver.runtime.api.chat.WireEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a Messages stream carries tool use as it decodes, without a model: a Hermes answer cut into pieces as tokens
 * would cut it, its events added up as Anthropic's SDK accumulates them, against the non-streamed message.
 */
class MessageWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "I will check.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": "
            + "{\"city\": \"Paris\", \"unit\": \"c\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"ping\", "
            + "\"arguments\": {}}\n</tool_call>";

    static ToolUse tools(Boolean parallel) {
        try {
            return ToolUse.of(JSON.readTree("[{\"type\":\"function\",\"function\":{\"name\":\"weather\","
                    + "\"parameters\":{\"type\":\"object\"}}},{\"type\":\"function\",\"function\":{\"name\":\"ping\"}}]"),
                    null, parallel);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Wire.Header header(ToolUse tools) {
        return new Wire.Header("msg_1", 0, "m", null, tools);
    }

    /** A stream's events, the reasoning first, then the answer cut every {@code step} characters. */
    static List<JsonNode> stream(ToolUse tools, String reasoning, String text, int step, FinishReason reason) {
        MessageWire wire = new MessageWire(MessagesRequest.Thinking.SHOWN, List.of());
        Wire.Header h = header(tools);
        List<Object> out = new ArrayList<>(wire.opening(h, 1));
        if (!reasoning.isEmpty()) {
            out.add(wire.delta(h, 0, new Delta(reasoning, "", 1, new int[] {1})));
        }
        for (int i = 0; i < text.length(); i += step) {
            out.add(wire.delta(h, 0, new Delta("", text.substring(i, Math.min(text.length(), i + step)), 1,
                    new int[] {1})));
        }
        out.add(wire.finish(h, 0, reason));
        out.add(wire.usage(h, new Usage(1, 1)));
        return WireEvents.of(out);
    }

    /**
     * The message the events add up to, as Anthropic's SDK accumulates it (ids left out), checking that blocks
     * start in order, one at a time, and each delta goes to the block open.
     */
    static JsonNode accumulate(List<JsonNode> events) {
        ArrayNode content = JSON.createArrayNode();
        StringBuilder input = new StringBuilder();
        Integer open = null;
        String stop = null;
        for (JsonNode e : events) {
            switch (e.get("type").asText()) {
                case "content_block_start" -> {
                    assertNull(open, "a block starts once the one before it stopped: " + e);
                    open = e.get("index").asInt();
                    assertEquals(content.size(), open, e.toString());
                    content.add(e.get("content_block").deepCopy());
                    input.setLength(0);
                }
                case "content_block_delta" -> {
                    assertEquals(open, e.get("index").asInt(), e.toString());
                    ObjectNode block = (ObjectNode) content.get(open);
                    JsonNode d = e.get("delta");
                    switch (d.get("type").asText()) {
                        case "text_delta" -> block.put("text", block.get("text").asText() + d.get("text").asText());
                        case "thinking_delta" -> block.put("thinking", block.get("thinking").asText()
                                + d.get("thinking").asText());
                        case "input_json_delta" -> input.append(d.get("partial_json").asText());
                        default -> throw new AssertionError(e.toString());
                    }
                }
                case "content_block_stop" -> {
                    assertEquals(open, e.get("index").asInt(), e.toString());
                    ObjectNode block = (ObjectNode) content.get(open);
                    if (block.get("type").asText().equals("tool_use")) {
                        assertEquals(0, block.get("input").size(), "a tool_use block starts with an empty input");
                        block.set("input", json(input.toString()));
                    }
                    open = null;
                }
                case "message_delta" -> stop = e.at("/delta/stop_reason").asText();
                default -> {
                }
            }
        }
        assertNull(open, "every block stopped");
        return withoutIds(JSON.createObjectNode().put("stop_reason", stop).set("content", content));
    }

    static JsonNode completion(ToolUse tools, String reasoning, String text, FinishReason reason) {
        MessageWire wire = new MessageWire(MessagesRequest.Thinking.SHOWN, List.of());
        JsonNode m = JSON.valueToTree(wire.completion(header(tools), List.of(new Completions.Choice(0, reasoning,
                text, new int[0], reason, List.of(), null, 0)), new Usage(1, 1)));
        return withoutIds(JSON.createObjectNode().put("stop_reason", m.get("stop_reason").asText())
                .set("content", m.get("content")));
    }

    /** Tool use ids are made per answer: each reads {@code toolu_…}, and is left out of the comparison. */
    static JsonNode withoutIds(ObjectNode message) {
        for (JsonNode block : message.get("content")) {
            if (block.has("id")) {
                assertTrue(block.get("id").asText().startsWith("toolu_"), block.toString());
                ((ObjectNode) block).remove("id");
            }
        }
        return message;
    }

    @Test
    void streamedToolUseAddsUpToTheNonStreamedMessage() {
        JsonNode whole = completion(tools(null), "", ANSWER, FinishReason.STOP);
        assertEquals("{\"stop_reason\":\"tool_use\",\"content\":[{\"type\":\"text\",\"text\":\"I will check.\"},"
                + "{\"type\":\"tool_use\",\"name\":\"weather\",\"input\":{\"city\":\"Paris\",\"unit\":\"c\"}},"
                + "{\"type\":\"tool_use\",\"name\":\"ping\",\"input\":{}}]}", whole.toString());
        for (int step : new int[] {1, 3, 7, ANSWER.length()}) {
            assertEquals(whole, accumulate(stream(tools(null), "", ANSWER, step, FinishReason.STOP)),
                    "pieces of " + step);
        }
    }

    @Test
    void aCallStreamsAsItDecodesNotAtTheEnd() {
        List<JsonNode> events = stream(tools(null), "", ANSWER, 1, FinishReason.STOP);
        int firstCall = 0;
        while (!events.get(firstCall).at("/content_block/type").asText().equals("tool_use")) {
            firstCall++;
        }
        assertEquals("I will check.", partsOf(events.subList(0, firstCall), "text_delta", "text"),
                "the text streams before the first call starts");
        List<JsonNode> after = events.subList(firstCall, events.size());
        assertTrue(after.stream().filter(e -> e.at("/delta/type").asText().equals("input_json_delta")).count() > 10,
                "the input streams over many deltas, not one at the end: " + after);
    }

    /** The deltas of one type, their field joined. */
    static String partsOf(List<JsonNode> events, String type, String field) {
        StringBuilder out = new StringBuilder();
        events.stream().filter(e -> e.at("/delta/type").asText().equals(type))
                .forEach(e -> out.append(e.at("/delta/" + field).asText()));
        return out.toString();
    }

    @Test
    void reasoningIsAThinkingBlockBeforeTheTextAndCalls() {
        JsonNode whole = completion(tools(null), "Hm.", ANSWER, FinishReason.STOP);
        assertEquals("thinking", whole.at("/content/0/type").asText(), whole.toString());
        assertEquals(whole, accumulate(stream(tools(null), "Hm.", ANSWER, 4, FinishReason.STOP)));
    }

    @Test
    void disableParallelToolUseKeepsTheFirstCall() {
        JsonNode one = accumulate(stream(tools(false), "", ANSWER, 5, FinishReason.STOP));
        assertEquals(2, one.get("content").size(), one.toString());
        assertEquals(one, completion(tools(false), "", ANSWER, FinishReason.STOP));
    }

    @Test
    void aCallCutByTheTokenLimitStopsForMaxTokens() {
        String cut = ANSWER.substring(0, ANSWER.indexOf("Paris") + 2);
        List<JsonNode> events = stream(tools(null), "", cut, 4, FinishReason.LENGTH);
        assertEquals("max_tokens", events.get(events.size() - 2).at("/delta/stop_reason").asText());
        assertEquals("{\"city\":\"Pa", partsOf(events, "input_json_delta", "partial_json"));
    }

    @Test
    void textWithoutACallIsOneTextBlockEndingTheTurn() {
        String text = "No call here, <tool_ only looks like one.";
        JsonNode whole = completion(tools(null), "", text, FinishReason.STOP);
        assertEquals("end_turn", whole.get("stop_reason").asText());
        assertEquals(text, whole.at("/content/0/text").asText());
        assertEquals(whole, accumulate(stream(tools(null), "", text, 2, FinishReason.STOP)));
    }
}
