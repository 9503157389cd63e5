package io.quiver.runtime.api.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Structured outputs over HTTP on the random-weight fixture: OpenAI's response_format, vLLM's structured_outputs and
 * llama.cpp's json_schema, streaming and not; every answer validates (networknt's validator) whatever the weights.
 */
@QuarkusTest
class StructuredOutputRoutesTest {
    static final String SCHEMA = """
            {"type":"object","properties":{"city":{"type":"string","maxLength":12},
             "rank":{"type":"integer","minimum":1,"maximum":9},"sunny":{"type":"boolean"},
             "tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":2}},
             "required":["city","rank"],"additionalProperties":false}""";
    static final Schema VALIDATOR = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(SCHEMA);

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static JsonNode json(String text) {
        try {
            return ChatRoutesTest.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static JsonNode schema() {
        return json(SCHEMA);
    }

    static ObjectNode chat(long seed) {
        ObjectNode body = ChatRoutesTest.greedyChat(ChatRoutesTest.goldenCase("system_user")).put("temperature", 1.0)
                .put("seed", seed).put("max_tokens", 200);
        body.remove("ignore_eos");
        return body;
    }

    static ObjectNode withSchema(ObjectNode body) {
        ObjectNode format = body.putObject("response_format").put("type", "json_schema");
        format.putObject("json_schema").put("name", "place").put("strict", true).set("schema", schema());
        return body;
    }

    static void assertValid(String text) {
        assertEquals(List.of(), VALIDATOR.validate(json(text)), text);
    }

    @Test
    void responseFormatJsonSchemaValidatesStreamingAndNot() {
        for (long seed = 1; seed <= 3; seed++) {
            JsonNode r = ParallelChoicesRoutesTest.body("/v1/chat/completions", withSchema(chat(seed)));
            assertEquals("stop", r.at("/choices/0/finish_reason").asText());
            assertValid(r.at("/choices/0/message/content").asText());
        }
        String stream = ChatRoutesTest.post("/v1/chat/completions", withSchema(chat(4)).put("stream", true)).then()
                .statusCode(200).extract().asString();
        StringBuilder content = new StringBuilder();
        SseEvents.parse(stream).forEach(c -> content.append(c.at("/choices/0/delta/content").asText("")));
        assertValid(content.toString());
    }

    @Test
    void everyChoiceOfNIsConstrained() {
        JsonNode r = ParallelChoicesRoutesTest.body("/v1/chat/completions", withSchema(chat(7)).put("n", 3));
        for (JsonNode choice : r.get("choices")) {
            assertValid(choice.at("/message/content").asText());
        }
    }

    @Test
    void vllmAndLlamaCppFieldsOnCompletions() {
        ObjectNode body = ChatRoutesTest.JSON.createObjectNode().put("model", ChatRoutesTest.MODEL)
                .put("prompt", "The answer:").put("max_tokens", 200).put("temperature", 1.0).put("seed", 5);
        body.set("json_schema", schema());
        assertValid(ParallelChoicesRoutesTest.body("/v1/completions", body).at("/choices/0/text").asText());

        body.remove("json_schema");
        body.putObject("structured_outputs").put("json", SCHEMA);
        assertValid(ParallelChoicesRoutesTest.body("/v1/completions", body).at("/choices/0/text").asText());

        body.putObject("structured_outputs").put("regex", "(red|green) [0-9]{2}");
        String regex = ParallelChoicesRoutesTest.body("/v1/completions", body).at("/choices/0/text").asText();
        assertTrue(regex.matches("(red|green) [0-9]{2}"), regex);

        body.putObject("structured_outputs").putArray("choice").add("left").add("right");
        String choice = ParallelChoicesRoutesTest.body("/v1/completions", body).at("/choices/0/text").asText();
        assertTrue(List.of("left", "right").contains(choice), choice);

        ObjectNode object = chat(2);
        object.putObject("response_format").put("type", "json_object");
        object.put("max_tokens", 3);
        JsonNode r = ParallelChoicesRoutesTest.body("/v1/chat/completions", object);
        assertTrue(r.at("/choices/0/message/content").asText().startsWith("{"), "an object begins");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown format type   | /v1/chat/completions | {"messages":USER,"response_format":{"type":"xml"}}                                  | 400 | response_format  | xml
            schema not an object  | /v1/chat/completions | {"messages":USER,"response_format":{"type":"json_schema","json_schema":{"name":"x"}}} | 400 | response_format | schema
            unsupported keyword   | /v1/chat/completions | {"messages":USER,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"string","pattern":"a"}}}} | 400 | response_format | pattern
            grammar               | /v1/chat/completions | {"messages":USER,"structured_outputs":{"grammar":"root ::= x"}}                      | 400 | structured_outputs.grammar | grammar
            two kinds             | /v1/chat/completions | {"messages":USER,"structured_outputs":{"regex":"a","choice":["b"]}}                  | 400 | structured_outputs | exactly one
            bad regex             | /v1/completions      | {"prompt":"hi","structured_outputs":{"regex":"(a"}}                                  | 400 | structured_outputs.regex | regular
            empty choice          | /v1/completions      | {"prompt":"hi","structured_outputs":{"choice":[]}}                                   | 400 | structured_outputs.choice | non-empty
            json not JSON         | /v1/completions      | {"prompt":"hi","structured_outputs":{"json":"{nope"}}                                | 400 | structured_outputs.json | JSON
            two fields            | /v1/completions      | {"prompt":"hi","json_schema":{"type":"integer"},"response_format":{"type":"json_object"}} | 400 | json_schema | one of
            """)
    void refused(String name, String route, String body, int status, String param, String says) {
        String json = body.replace("USER", ChatBadInputTest.USER)
                .replaceFirst("\\{", "{\"model\":\"" + ChatRoutesTest.MODEL + "\",");
        given().contentType("application/json").body(json).post(route).then().statusCode(status)
                .body("error.param", equalTo(param)).body("error.message", containsString(says));
        assertEquals(0, admission.running());
    }
}
