package io.quiver.runtime.api.responses;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /v1/responses} over HTTP on the chat fixture: its answers equal chat completions' for the same
 * conversation, its stream adds up to its answer in OpenAI's event order, reasoning becomes reasoning items, a
 * forced function call round-trips, text.format constrains the text, and what it does not serve is refused.
 */
@QuarkusTest
class ResponsesRoutesTest {
    static final String MODEL = "tiny-random-deepseek-r1";
    static final ObjectMapper JSON = new ObjectMapper();
    static final String WEATHER = """
            {"type":"object","properties":{"city":{"type":"string","maxLength":10},"unit":{"enum":["c","f"]}},
             "required":["city","unit"],"additionalProperties":false}""";

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    static Response post(String route, JsonNode body) {
        return given().contentType("application/json").body(body.toString()).post(route);
    }

    static JsonNode ok(String route, JsonNode body) {
        Response r = post(route, body);
        assertEquals(200, r.statusCode(), r.asString());
        return json(r.asString());
    }

    /** A greedy request of n tokens, all generated (the fixture's random weights would stop anywhere). */
    static ObjectNode greedy(String model, int tokens) {
        return JSON.createObjectNode().put("model", model).put("temperature", 0).put("max_output_tokens", tokens)
                .put("ignore_eos", true);
    }

    /** The text of the response's items of a type, joined. */
    static String text(JsonNode response, String type) {
        StringBuilder out = new StringBuilder();
        for (JsonNode item : response.get("output")) {
            if (item.get("type").asText().equals(type)) {
                item.get("content").forEach(part -> out.append(part.get("text").asText()));
            }
        }
        return out.toString();
    }

    /** A stream's events as (event line, data) pairs, checking that every data has an event line naming it. */
    static List<JsonNode> events(String stream) {
        List<JsonNode> events = new ArrayList<>();
        String name = null;
        for (String line : stream.split("\n")) {
            if (line.startsWith("event: ")) {
                name = line.substring("event: ".length());
            } else if (line.startsWith("data: ")) {
                JsonNode data = json(line.substring("data: ".length()));
                assertEquals(name, data.get("type").asText(), line);
                events.add(data);
                name = null;
            }
        }
        return events;
    }

    @Test
    void anAnswerEqualsChatCompletionsForTheSameConversation() {
        ObjectNode request = greedy(MODEL, 12).put("instructions", "Be brief.").put("input", "What is 2 + 2?");
        JsonNode response = ok("/v1/responses", request);
        ObjectNode chat = JSON.createObjectNode().put("model", MODEL).put("temperature", 0).put("max_tokens", 12)
                .put("ignore_eos", true);
        chat.putArray("messages").add(JSON.createObjectNode().put("role", "system").put("content", "Be brief."))
                .add(JSON.createObjectNode().put("role", "user").put("content", "What is 2 + 2?"));
        JsonNode completion = ok("/v1/chat/completions", chat);

        assertTrue(response.get("id").asText().startsWith("resp_"), response.toString());
        assertEquals("response", response.get("object").asText());
        assertEquals("incomplete", response.get("status").asText(), "12 tokens, all asked for, none to stop");
        assertEquals("max_output_tokens", response.at("/incomplete_details/reason").asText());
        JsonNode message = completion.at("/choices/0/message");
        assertEquals(message.path("content").asText(""), text(response, "message"));
        assertEquals(message.path("reasoning_content").asText(""), text(response, "reasoning"));
        assertEquals(completion.at("/usage/prompt_tokens").asInt(), response.at("/usage/input_tokens").asInt());
        assertEquals(12, response.at("/usage/output_tokens").asInt());
        assertEquals(response.at("/usage/input_tokens").asInt() + 12, response.at("/usage/total_tokens").asInt());
        assertEquals(0, response.at("/usage/input_tokens_details/cached_tokens").asInt());
        assertEquals("Be brief.", response.get("instructions").asText());
        assertFalse(response.get("store").asBoolean());
    }

    @Test
    void aStreamAddsUpToTheAnswerInOpenAisEventOrder() {
        ObjectNode request = greedy(MODEL, 10).put("input", "Tell me a story");
        JsonNode answer = ok("/v1/responses", request);
        String stream = post("/v1/responses", request.deepCopy().put("stream", true)).then().statusCode(200)
                .contentType("text/event-stream").extract().asString();
        assertFalse(stream.contains("[DONE]"), "Responses streams end with their last event");
        List<JsonNode> events = events(stream);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).get("sequence_number").asInt(), stream);
        }
        assertEquals("response.created", events.getFirst().get("type").asText());
        assertEquals("in_progress", events.getFirst().at("/response/status").asText());
        assertEquals("response.in_progress", events.get(1).get("type").asText());
        JsonNode last = events.getLast();
        assertEquals("response.incomplete", last.get("type").asText());
        JsonNode streamed = last.get("response");
        assertEquals(text(answer, "message"), text(streamed, "message"));
        assertEquals(text(answer, "reasoning"), text(streamed, "reasoning"));
        assertEquals(answer.get("usage"), streamed.get("usage"));

        // Every item is added, written and done in order, at its index, under one id; deltas add up to its text.
        Map<String, StringBuilder> written = new HashMap<>();
        List<String> done = new ArrayList<>();
        for (JsonNode e : events) {
            String type = e.get("type").asText();
            if (type.equals("response.output_item.added")) {
                assertEquals(done.size(), e.get("output_index").asInt());
                written.put(e.at("/item/id").asText(), new StringBuilder());
            } else if (type.endsWith("_text.delta")) {
                written.get(e.get("item_id").asText()).append(e.get("delta").asText());
            } else if (type.equals("response.output_item.done")) {
                String id = e.at("/item/id").asText();
                assertEquals(streamed.at("/output/" + done.size()), e.get("item"));
                assertEquals(written.get(id).toString(), e.at("/item/content/0/text").asText());
                done.add(id);
            }
        }
        assertEquals(streamed.get("output").size(), done.size());
    }

    @Test
    void thinkTextBecomesAReasoningItemAndCountsAsReasoningTokens() {
        // r1-think's template opens <think>: the fixture's random text stays reasoning to the end.
        JsonNode response = ok("/v1/responses", greedy("r1-think", 6).put("input", "hi"));
        JsonNode item = response.at("/output/0");
        assertEquals("reasoning", item.get("type").asText(), response.toString());
        assertTrue(item.get("id").asText().startsWith("rs_"));
        assertEquals("reasoning_text", item.at("/content/0/type").asText());
        assertFalse(item.at("/content/0/text").asText().isEmpty());
        assertEquals(0, item.get("summary").size());
        assertEquals(6, response.at("/usage/output_tokens_details/reasoning_tokens").asInt());

        List<JsonNode> events = events(post("/v1/responses", greedy("r1-think", 6).put("input", "hi")
                .put("stream", true)).then().statusCode(200).extract().asString());
        StringBuilder thought = new StringBuilder();
        events.stream().filter(e -> e.get("type").asText().equals("response.reasoning_text.delta"))
                .forEach(e -> thought.append(e.get("delta").asText()));
        assertEquals(item.at("/content/0/text").asText(), thought.toString());
        assertTrue(events.stream().anyMatch(e -> e.get("type").asText().equals("response.reasoning_text.done")));
    }

    @Test
    void reasoningItemsSentBackAreAcceptedAndLeftOutOfThePrompt() {
        JsonNode first = ok("/v1/responses", greedy("r1-think", 4).put("input", "hi"));
        JsonNode reasoning = first.at("/output/0");
        assertEquals("reasoning", reasoning.get("type").asText(), first.toString());
        ObjectNode followup = greedy("r1-think", 1);
        ArrayNode input = followup.putArray("input");
        input.addObject().put("role", "user").put("content", "hi");
        input.add(reasoning);
        input.addObject().put("type", "message").put("role", "assistant").putArray("content").addObject()
                .put("type", "output_text").put("text", "Hello.");
        input.addObject().put("role", "user").put("content", "And then?");
        JsonNode withReasoning = ok("/v1/responses", followup);
        input.remove(1);
        JsonNode without = ok("/v1/responses", followup);
        assertEquals(without.at("/usage/input_tokens"), withReasoning.at("/usage/input_tokens"));
    }

    static ObjectNode weatherRequest() {
        ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("temperature", 1.0).put("seed", 3)
                .put("max_output_tokens", 300).put("input", "Weather in Paris?");
        ArrayNode tools = body.putArray("tools");
        ObjectNode weather = tools.addObject().put("type", "function").put("name", "weather")
                .put("description", "Current weather").put("strict", true);
        weather.set("parameters", json(WEATHER));
        tools.addObject().put("type", "function").put("name", "ping");
        body.putObject("tool_choice").put("type", "function").put("name", "weather");
        return body;
    }

    @Test
    void aForcedFunctionCallRoundTripsAsChatRendersIt() {
        JsonNode response = ok("/v1/responses", weatherRequest());
        JsonNode call = response.at("/output/0");
        assertEquals("function_call", call.get("type").asText(), response.toString());
        assertEquals("weather", call.get("name").asText());
        assertTrue(call.get("id").asText().startsWith("fc_") && call.get("call_id").asText().startsWith("call_"));
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(WEATHER);
        assertEquals(List.of(), schema.validate(json(call.get("arguments").asText())), call.toString());
        assertEquals("completed", response.get("status").asText());

        // The call and its output go back as items; the prompt is the one chat renders from the same turns.
        ObjectNode followup = greedy(MODEL, 5);
        followup.set("tools", weatherRequest().get("tools"));
        ArrayNode input = followup.putArray("input");
        input.addObject().put("role", "user").putArray("content").addObject().put("type", "input_text")
                .put("text", "Weather in Paris?");
        input.add(call);
        input.addObject().put("type", "function_call_output").put("call_id", call.get("call_id").asText())
                .put("output", "21 C, sunny");
        JsonNode answer = ok("/v1/responses", followup);

        ObjectNode chat = JSON.createObjectNode().put("model", MODEL).put("temperature", 0).put("max_tokens", 5)
                .put("ignore_eos", true);
        ArrayNode chatTools = chat.putArray("tools");
        for (JsonNode t : weatherRequest().get("tools")) {
            ObjectNode function = chatTools.addObject().put("type", "function").putObject("function");
            t.properties().forEach(f -> {
                if (!f.getKey().equals("type")) {
                    function.set(f.getKey(), f.getValue());
                }
            });
        }
        ArrayNode messages = chat.putArray("messages");
        messages.addObject().put("role", "user").put("content", "Weather in Paris?");
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        assistant.putNull("content");
        assistant.putArray("tool_calls").addObject().put("id", call.get("call_id").asText()).put("type", "function")
                .putObject("function").put("name", "weather").put("arguments", call.get("arguments").asText());
        messages.addObject().put("role", "tool").put("tool_call_id", call.get("call_id").asText())
                .put("content", "21 C, sunny");
        JsonNode completion = ok("/v1/chat/completions", chat);
        assertEquals(completion.at("/usage/prompt_tokens").asInt(), answer.at("/usage/input_tokens").asInt());
        assertEquals(completion.at("/choices/0/message/content").asText(""), text(answer, "message"));
    }

    @Test
    void aStreamedCallHasItsArgumentEventsAndEndsAsTheAnswer() {
        JsonNode answer = ok("/v1/responses", weatherRequest());
        List<JsonNode> events = events(post("/v1/responses", weatherRequest().put("stream", true)).then()
                .statusCode(200).extract().asString());
        List<String> types = events.stream().map(e -> e.get("type").asText()).toList();
        int added = types.indexOf("response.output_item.added");
        int done = types.indexOf("response.function_call_arguments.done");
        // The arguments stream as they decode: many deltas between the item's start and its end.
        assertTrue(done - added > 2, types.toString());
        assertEquals(Collections.nCopies(done - added - 1, "response.function_call_arguments.delta"),
                types.subList(added + 1, done), types.toString());
        assertEquals(List.of("response.function_call_arguments.done", "response.output_item.done",
                "response.completed"), types.subList(done, types.size()), types.toString());
        JsonNode item = events.get(done + 1).get("item");
        assertEquals("", events.get(added).at("/item/arguments").asText());
        StringBuilder deltas = new StringBuilder();
        events.subList(added + 1, done).forEach(e -> deltas.append(e.get("delta").asText()));
        assertEquals(item.get("arguments").asText(), deltas.toString());
        assertEquals(item.get("arguments").asText(), events.get(done).get("arguments").asText());
        assertEquals("weather", events.get(done).get("name").asText());

        // The stream's last event holds the answer's output (ids are made per answer).
        JsonNode streamed = events.getLast().get("response");
        assertEquals(withoutIds(answer.get("output")), withoutIds(streamed.get("output")));
        assertEquals(answer.get("usage"), streamed.get("usage"));
    }

    static JsonNode withoutIds(JsonNode output) {
        JsonNode copy = output.deepCopy();
        copy.forEach(item -> ((ObjectNode) item).remove(List.of("id", "call_id")));
        return copy;
    }

    @Test
    void textFormatJsonSchemaConstrainsTheAnswer() {
        ObjectNode request = JSON.createObjectNode().put("model", MODEL).put("temperature", 1.0).put("seed", 5)
                .put("max_output_tokens", 200).put("input", "Weather?");
        ObjectNode format = request.putObject("text").putObject("format").put("type", "json_schema")
                .put("name", "weather").put("strict", true);
        format.set("schema", json(WEATHER));
        JsonNode response = ok("/v1/responses", request);
        assertEquals("completed", response.get("status").asText(), response.toString());
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(WEATHER);
        assertEquals(List.of(), schema.validate(json(text(response, "message"))), response.toString());
        assertEquals(request.get("text"), response.get("text"), "text is echoed");
    }

    @Test
    void fieldsThatCannotChangeTheAnswerAreAcceptedAndIgnored() {
        ObjectNode request = greedy(MODEL, 2).put("input", "hi").put("store", true).put("user", "u-1")
                .put("service_tier", "auto").put("prompt_cache_key", "k").put("safety_identifier", "s")
                .put("truncation", "disabled").put("parallel_tool_calls", false).put("max_tool_calls", 3);
        request.putObject("metadata").put("team", "search");
        request.putArray("include").add("reasoning.encrypted_content");
        request.putObject("reasoning").put("effort", "low");
        request.putObject("stream_options").put("include_obfuscation", false);
        request.putNull("previous_response_id");
        JsonNode response = ok("/v1/responses", request);
        assertEquals("search", response.at("/metadata/team").asText());
        assertEquals("u-1", response.get("user").asText());
        assertEquals("low", response.at("/reasoning/effort").asText());
        assertFalse(response.get("store").asBoolean(), "nothing is stored");
        assertFalse(response.get("parallel_tool_calls").asBoolean());
        assertNull(response.get("previous_response_id").textValue());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"input":"hi","frequency_penalty":1} | frequency_penalty
            {"input":"hi","previous_response_id":"resp_1"} | previous_response_id
            {"input":"hi","conversation":"conv_1"} | conversation
            {"input":"hi","background":true} | background
            {"input":"hi","truncation":"auto"} | truncation
            {"input":"hi","include":["message.output_text.logprobs"]} | include
            {"input":"hi","top_logprobs":2} | top_logprobs
            {"input":"hi","store":"yes"} | store
            {"input":[{"role":"user","content":[{"type":"input_image","image_url":"https://x/y.png"}]}]} | input[0].content[0]
            {"input":[{"type":"item_reference","id":"msg_1"}]} | input[0]
            {"input":[{"type":"function_call_output","call_id":"call_1","output":"1"}]} | input[0].call_id
            {"input":[{"type":"function_call","name":"f","arguments":"{}"}]} | input[0].call_id
            {"input":[{"role":"tool","content":"x"}]} | input[0].role
            {"input":"hi","tools":[{"type":"web_search"}]} | tools[0].type
            {"input":"hi","tools":[{"type":"function","function":{"name":"f"}}]} | tools[0]
            {"input":"hi","tools":[{"type":"function","name":"f","defer_loading":true}]} | tools[0].defer_loading
            {"input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[]}} | tool_choice
            {"input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"g"}} | tool_choice
            {"input":"hi","text":{"format":{"type":"yaml"}}} | text.format.type
            {"input":"hi","text":{"format":{"type":"json_schema","name":"s"}}} | text.format.schema
            {"input":"hi","text":{"verbosity":"low"}} | text.verbosity
            {"input":"hi","max_output_tokens":100000} | max_output_tokens
            {"input":[]} | input
            {"instructions":"x"} | input
            """)
    void whatItDoesNotServeIsA400NamingTheField(String body, String param) {
        ObjectNode request = (ObjectNode) json(body);
        request.put("model", MODEL);
        Response r = post("/v1/responses", request);
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals("invalid_request_error", r.jsonPath().getString("error.type"));
        assertEquals(param, r.jsonPath().getString("error.param"), r.asString());
    }
}
