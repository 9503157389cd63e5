package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.runtime.Ready;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Structured outputs from a real model: the JSON is valid and says what the model knows. */
@QuarkusTest
@TestProfile(SmolLm2Profile.class)
class SmolLm2StructuredTest {
    static final String SCHEMA = """
            {"type":"object","properties":{"country":{"type":"string","maxLength":40},
             "capital":{"type":"string","maxLength":40}},"required":["country","capital"],
             "additionalProperties":false}""";

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static ObjectNode ask(String question) {
        ObjectNode body = SmolLm2ChatTest.JSON.createObjectNode().put("model", SmolLm2Profile.FP32)
                .put("temperature", 0).put("max_tokens", 80);
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        return body;
    }

    @Test
    void theSchemasAnswerValidatesAndIsRight() {
        ObjectNode body = ask("What is the capital of France? Answer in JSON with the keys country and capital.");
        body.putObject("response_format").put("type", "json_schema").putObject("json_schema").put("name", "capital")
                .set("schema", StructuredOutputRoutesTest.json(SCHEMA));
        JsonNode r = SmolLm2LogprobsTest.post("/v1/chat/completions", body);
        String content = r.at("/choices/0/message/content").asText();
        JsonNode answer = StructuredOutputRoutesTest.json(content);
        assertEquals(List.of(), SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SCHEMA).validate(answer), content);
        assertTrue(answer.get("capital").asText().contains("Paris"), content);
        assertEquals("stop", r.at("/choices/0/finish_reason").asText());
    }

    @Test
    void jsonObjectIsAnObject() {
        ObjectNode body = ask("Give me a JSON object describing a cat with its name and age.");
        body.putObject("response_format").put("type", "json_object");
        body.put("max_tokens", 120);
        JsonNode r = SmolLm2LogprobsTest.post("/v1/chat/completions", body);
        String content = r.at("/choices/0/message/content").asText();
        assertEquals("stop", r.at("/choices/0/finish_reason").asText(), content);
        assertTrue(StructuredOutputRoutesTest.json(content).isObject(), content);
    }
}
