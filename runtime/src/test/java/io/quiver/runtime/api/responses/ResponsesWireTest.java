package io.quiver.runtime.api.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.api.chat.ToolUse;
import io.quiver.runtime.api.chat.Wire;
import io.quiver.runtime.api.chat.WireEvents;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How a Responses stream carries function calls as they decode, without a model: a Hermes answer cut into pieces as
 * tokens would cut it; the stream's items are added, written and done in order, and its last event holds the same
 * output as the non-streamed response.
 */
class ResponsesWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "I will check.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": "
            + "{\"city\": \"Paris\", \"unit\": \"c\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"ping\", "
            + "\"arguments\": {}}\n</tool_call>";

    static ResponsesRequest request() {
        try {
            return ResponsesRequest.read(JSON.readTree("{\"model\":\"m\",\"input\":\"Weather?\"}"), JSON);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static ToolUse tools() {
        try {
            return ResponseTools.of(JSON.readTree("[{\"type\":\"function\",\"name\":\"weather\",\"parameters\":"
                    + "{\"type\":\"object\"}},{\"type\":\"function\",\"name\":\"ping\"}]"), null, null);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Wire.Header header(ToolUse tools) {
        return new Wire.Header("resp_1", 0, "m", null, tools);
    }

    /** One answer: its reasoning, then its text cut every {@code step} characters. */
    record Answer(String reasoning, String text, int step, FinishReason reason) {
        List<Delta> deltas() {
            List<Delta> out = new ArrayList<>();
            if (!reasoning.isEmpty()) {
                out.add(new Delta(reasoning, "", 1, new int[] {1}));
            }
            for (int i = 0; i < text.length(); i += step) {
                out.add(new Delta("", text.substring(i, Math.min(text.length(), i + step)), 1, new int[] {1}));
            }
            return out;
        }

        Completions completions() {
            Completions c = new Completions(1);
            deltas().forEach(d -> c.add(0, d));
            c.end(0, reason, new Usage(3, deltas().size()));
            return c;
        }
    }

    static List<JsonNode> stream(Answer answer) {
        ToolUse tools = tools();
        ResponsesWire wire = new ResponsesWire(request(), tools);
        Wire.Header h = header(tools);
        List<Object> out = new ArrayList<>(wire.opening(h, 1));
        answer.deltas().forEach(d -> out.add(wire.delta(h, 0, d)));
        out.add(wire.finish(h, 0, answer.reason()));
        out.add(wire.ending(h, answer.completions(), false));
        return WireEvents.of(out);
    }

    static JsonNode response(Answer answer) {
        ToolUse tools = tools();
        Completions c = answer.completions();
        return JSON.valueToTree(new ResponsesWire(request(), tools).completion(header(tools), c.choices(),
                c.usage()));
    }

    /**
     * Checks the stream as the openai SDK's stream helper reads it: numbered in order, every item added at its
     * index, its deltas going to it and adding up to its text or arguments, done as the final response holds it.
     */
    static JsonNode checked(List<JsonNode> events) {
        JsonNode last = events.getLast().get("response");
        Map<String, StringBuilder> written = new HashMap<>();
        int done = 0;
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertEquals(i, e.get("sequence_number").asInt(), e.toString());
            String type = e.get("type").asText();
            if (type.equals("response.output_item.added")) {
                assertEquals(done, e.get("output_index").asInt(), e.toString());
                written.put(e.at("/item/id").asText(), new StringBuilder());
            } else if (type.endsWith(".delta")) {
                assertEquals(done, e.get("output_index").asInt(), e.toString());
                written.get(e.get("item_id").asText()).append(e.get("delta").asText());
            } else if (type.equals("response.function_call_arguments.done")) {
                assertEquals(written.get(e.get("item_id").asText()).toString(), e.get("arguments").asText());
            } else if (type.equals("response.output_item.done")) {
                JsonNode item = e.get("item");
                assertEquals(last.at("/output/" + done), item);
                String whole = item.has("arguments") ? item.get("arguments").asText()
                        : item.at("/content/0/text").asText();
                assertEquals(written.get(item.get("id").asText()).toString(), whole, item.toString());
                done++;
            }
        }
        assertEquals(last.get("output").size(), done);
        return last;
    }

    /** The output without its ids, made per answer (each checked for its prefix). */
    static JsonNode output(JsonNode response) {
        JsonNode output = response.get("output").deepCopy();
        for (JsonNode item : output) {
            String prefix = switch (item.get("type").asText()) {
                case "function_call" -> "fc_";
                case "message" -> "msg_";
                default -> "rs_";
            };
            assertTrue(item.get("id").asText().startsWith(prefix), item.toString());
            ((ObjectNode) item).remove("id");
            if (item.has("call_id")) {
                assertTrue(item.get("call_id").asText().startsWith("call_"), item.toString());
                ((ObjectNode) item).remove("call_id");
            }
        }
        return output;
    }

    @Test
    void streamedCallsAddUpToTheNonStreamedResponse() {
        Answer answer = new Answer("", ANSWER, 1, FinishReason.STOP);
        JsonNode whole = response(answer);
        assertEquals("completed", whole.get("status").asText());
        assertEquals("[{\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":"
                + "\"output_text\",\"text\":\"I will check.\",\"annotations\":[],\"logprobs\":[]}]},"
                + "{\"type\":\"function_call\",\"status\":\"completed\",\"name\":\"weather\",\"arguments\":"
                + "\"{\\\"city\\\":\\\"Paris\\\",\\\"unit\\\":\\\"c\\\"}\"},{\"type\":\"function_call\",\"status\":"
                + "\"completed\",\"name\":\"ping\",\"arguments\":\"{}\"}]", output(whole).toString());
        for (int step : new int[] {1, 3, 7, ANSWER.length()}) {
            List<JsonNode> events = stream(new Answer("", ANSWER, step, FinishReason.STOP));
            assertEquals("response.completed", events.getLast().get("type").asText());
            assertEquals(output(whole), output(checked(events)), "pieces of " + step);
        }
    }

    @Test
    void aCallStreamsAsItDecodesNotAtTheEnd() {
        List<String> types = stream(new Answer("", ANSWER, 1, FinishReason.STOP)).stream()
                .map(e -> e.get("type").asText()).toList();
        int firstCall = types.indexOf("response.function_call_arguments.delta") - 1;
        assertEquals(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added"), types.subList(firstCall - 3, firstCall + 1),
                "the message is done when the first call starts: " + types);
        assertTrue(types.subList(0, firstCall).contains("response.output_text.delta"), types.toString());
        assertTrue(types.stream().filter("response.function_call_arguments.delta"::equals).count() > 10,
                "the arguments stream over many deltas, not one at the end: " + types);
    }

    @Test
    void reasoningIsAnItemBeforeTheMessageAndCalls() {
        Answer answer = new Answer("Hm.", ANSWER, 4, FinishReason.STOP);
        JsonNode whole = response(answer);
        assertEquals("reasoning", whole.at("/output/0/type").asText(), whole.toString());
        assertEquals(4, whole.get("output").size(), whole.toString());
        assertEquals(output(whole), output(checked(stream(answer))));
    }

    @Test
    void aCallCutByTheTokenLimitIsIncomplete() {
        Answer answer = new Answer("", ANSWER.substring(0, ANSWER.indexOf("Paris") + 2), 4, FinishReason.LENGTH);
        JsonNode whole = response(answer);
        assertEquals("incomplete", whole.get("status").asText());
        assertEquals("completed", whole.at("/output/0/status").asText(), "the message before the call is whole");
        assertEquals("incomplete", whole.at("/output/1/status").asText(), whole.toString());
        assertEquals("{\"city\":\"Pa", whole.at("/output/1/arguments").asText());
        List<JsonNode> events = stream(answer);
        assertEquals("response.incomplete", events.getLast().get("type").asText());
        assertEquals(output(whole), output(checked(events)));
    }

    @Test
    void anAnswerWithoutCallsIsOneMessage() {
        for (String text : List.of("No call here, <tool_ only looks like one.", "")) {
            Answer answer = new Answer("", text, 2, FinishReason.STOP);
            JsonNode whole = response(answer);
            assertEquals(1, whole.get("output").size(), whole.toString());
            assertEquals(text, whole.at("/output/0/content/0/text").asText());
            assertEquals(output(whole), output(checked(stream(answer))));
        }
    }
}
