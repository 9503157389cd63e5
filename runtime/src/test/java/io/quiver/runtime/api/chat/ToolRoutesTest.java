package io.quiver.runtime.api.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tools on the fixture (DeepSeek's template and call format): required and named choices are forced calls whose
 * arguments validate, streaming (in fragments, as they decode) and not; none leaves text; calls and results render
 * back into the prompt.
 */
@QuarkusTest
class ToolRoutesTest {
    static final String WEATHER = """
            {"type":"object","properties":{"city":{"type":"string","maxLength":10},
             "unit":{"enum":["c","f"]}},"required":["city","unit"],"additionalProperties":false}""";
    static final Schema WEATHER_SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(WEATHER);

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static ObjectNode request(long seed) {
        ObjectNode body = ChatRoutesTest.JSON.createObjectNode().put("model", ChatRoutesTest.MODEL)
                .put("temperature", 1.0).put("seed", seed).put("max_tokens", 300);
        body.putArray("messages").addObject().put("role", "user").put("content", "Weather in Paris?");
        ArrayNode tools = body.putArray("tools");
        ObjectNode weather = tools.addObject().put("type", "function").putObject("function").put("name", "weather")
                .put("description", "Current weather");
        weather.set("parameters", StructuredOutputRoutesTest.json(WEATHER));
        tools.addObject().put("type", "function").putObject("function").put("name", "ping");
        return body;
    }

    static void assertWeatherCall(JsonNode call) {
        assertEquals("function", call.get("type").asText());
        assertTrue(call.get("id").asText().startsWith("call_"));
        assertEquals("weather", call.at("/function/name").asText());
        JsonNode args = StructuredOutputRoutesTest.json(call.at("/function/arguments").asText());
        assertEquals(List.of(), WEATHER_SCHEMA.validate(args), args.toString());
    }

    @Test
    void requiredAndNamedChoicesAreCallsWithValidArguments() {
        for (long seed = 1; seed <= 3; seed++) {
            ObjectNode body = request(seed);
            body.putObject("tool_choice").put("type", "function").putObject("function").put("name", "weather");
            JsonNode r = ParallelChoicesRoutesTest.body("/v1/chat/completions", body);
            JsonNode choice = r.at("/choices/0");
            assertEquals("tool_calls", choice.get("finish_reason").asText());
            assertTrue(choice.at("/message/content").isMissingNode() || choice.at("/message/content").isNull());
            assertEquals(1, choice.at("/message/tool_calls").size());
            assertWeatherCall(choice.at("/message/tool_calls/0"));
        }
        JsonNode required = ParallelChoicesRoutesTest.body("/v1/chat/completions", request(4).put("tool_choice",
                "required"));
        String name = required.at("/choices/0/message/tool_calls/0/function/name").asText();
        assertTrue(List.of("weather", "ping").contains(name), required.toString());
        assertEquals("tool_calls", required.at("/choices/0/finish_reason").asText());
    }

    @Test
    void streamedCallsArriveAsTheyAreGeneratedAndAddUpToTheAnswer() {
        ObjectNode body = request(5);
        body.putObject("tool_choice").put("type", "function").putObject("function").put("name", "weather");
        JsonNode whole = ParallelChoicesRoutesTest.body("/v1/chat/completions", body).at("/choices/0/message/"
                + "tool_calls/0");
        String stream = ChatRoutesTest.post("/v1/chat/completions", body.put("stream", true)).then().statusCode(200)
                .extract().asString();
        List<JsonNode> chunks = SseEvents.parse(stream);
        ObjectNode call = ChatRoutesTest.JSON.createObjectNode();
        StringBuilder arguments = new StringBuilder();
        int entries = 0;
        for (JsonNode chunk : chunks) {
            JsonNode delta = chunk.at("/choices/0/delta");
            assertTrue(delta.path("content").asText("").isEmpty(), "no text besides the call: " + chunk);
            for (JsonNode entry : delta.path("tool_calls")) {
                assertEquals(0, entry.get("index").asInt());
                if (entries++ == 0) {
                    call.put("id", entry.get("id").asText()).put("type", entry.get("type").asText());
                    call.putObject("function").put("name", entry.at("/function/name").asText());
                } else {
                    assertFalse(entry.has("id") || entry.at("/function").has("name"), entry.toString());
                }
                arguments.append(entry.at("/function/arguments").asText());
            }
        }
        ((ObjectNode) call.get("function")).put("arguments", arguments.toString());
        assertTrue(entries > 3, "the arguments arrive in fragments as they decode, not in one last chunk: " + stream);
        assertEquals("tool_calls", chunks.getLast().at("/choices/0/finish_reason").asText());
        assertWeatherCall(call);
        assertEquals(whole.get("function"), call.get("function"), "the same seed, streamed or not: the same call");
    }

    @Test
    void noneAndAutoAnswerInText() {
        JsonNode none = ParallelChoicesRoutesTest.body("/v1/chat/completions", request(6).put("tool_choice", "none")
                .put("max_tokens", 5));
        assertFalse(none.at("/choices/0/message").has("tool_calls"));
        assertEquals("length", none.at("/choices/0/finish_reason").asText());
        JsonNode auto = ParallelChoicesRoutesTest.body("/v1/chat/completions", request(6).put("max_tokens", 5));
        assertEquals(none.at("/choices/0/message/content"), auto.at("/choices/0/message/content"),
                "random weights write no call: the same text either way");
    }

    @Test
    void callsAndResultsRenderBackIntoThePrompt() {
        ObjectNode body = request(7).put("max_tokens", 3);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "user").put("content", "Weather in Paris?");
        ObjectNode assistant = messages.addObject().put("role", "assistant").putNull("content");
        assistant.putArray("tool_calls").addObject().put("id", "call_9").put("type", "function")
                .putObject("function").put("name", "weather").put("arguments", "{\"city\":\"Paris\",\"unit\":\"c\"}");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_9").put("content", "18 and sunny");
        ParallelChoicesRoutesTest.body("/v1/chat/completions", body);

        ObjectNode tokenize = ChatRoutesTest.JSON.createObjectNode().put("model", ChatRoutesTest.MODEL);
        tokenize.set("messages", messages);
        JsonNode ids = ParallelChoicesRoutesTest.body("/tokenize", tokenize).get("tokens");
        ObjectNode detokenize = ChatRoutesTest.JSON.createObjectNode().put("model", ChatRoutesTest.MODEL);
        detokenize.set("tokens", ids);
        String prompt = ParallelChoicesRoutesTest.body("/detokenize", detokenize).get("prompt").asText();
        assertTrue(prompt.contains("<｜tool▁sep｜>weather\n```json\n{\"city\":\"Paris\",\"unit\":\"c\"}\n```"), prompt);
        assertTrue(prompt.contains("<｜tool▁output▁begin｜>18 and sunny<｜tool▁output▁end｜>"), prompt);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown named tool    | {"tool_choice":{"type":"function","function":{"name":"nope"}}}  | tool_choice | not in tools
            odd tool_choice       | {"tool_choice":"sometimes"}                                     | tool_choice | required
            with response_format  | {"tool_choice":"required","response_format":{"type":"json_object"}} | tool_choice | structured
            parameters not schema | {"tools":[{"type":"function","function":{"name":"x","parameters":3}}]} | tools[0].function.parameters | Schema
            parallel not boolean  | {"parallel_tool_calls":"sometimes"}                             | parallel_tool_calls | Invalid type
            """)
    void refused(String name, String extra, String param, String says) {
        ObjectNode body = request(1);
        StructuredOutputRoutesTest.json(extra).properties().forEach(e -> body.set(e.getKey(), e.getValue()));
        given().contentType("application/json").body(body.toString()).post("/v1/chat/completions").then()
                .statusCode(400).body("error.param", equalTo(param)).body("error.message", containsString(says));
        assertEquals(0, admission.running());
    }

    @Test
    void toolChoiceWithoutToolsAndCallsOutsideAssistantAreRefused() {
        ObjectNode body = request(1).put("tool_choice", "required");
        body.remove("tools");
        given().contentType("application/json").body(body.toString()).post("/v1/chat/completions").then()
                .statusCode(400).body("error.param", equalTo("tool_choice"));
        ObjectNode user = request(1);
        ((ObjectNode) user.get("messages").get(0)).putArray("tool_calls").addObject().putObject("function")
                .put("name", "x");
        given().contentType("application/json").body(user.toString()).post("/v1/chat/completions").then()
                .statusCode(400).body("error.param", equalTo("messages[0].tool_calls"));
    }
}
