package io.quiver.runtime.api.tokenize;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.models.Fixtures;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.lifecycle.ModelRegistry;
import jakarta.inject.Inject;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** vLLM's /tokenize and /detokenize against the reference tokenizer's ids, and the context length on /v1/models. */
@QuarkusTest
class TokenizeRoutesTest {
    static final String MODEL = "tiny-random-deepseek-r1";
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNode CASE = Fixtures.golden(MODEL).at("/cases/0");

    @Inject
    ModelRegistry registry;
    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    ChatEngine engine() {
        return registry.resolve(MODEL, Set.of(ModelKind.CHAT), "test").engine(ChatEngine.class);
    }

    static JsonNode post(String route, ObjectNode body) {
        return JSON.valueToTree(given().contentType("application/json").body(body.toString()).post(route).then()
                .statusCode(200).extract().as(Object.class));
    }

    @Test
    void promptAndMessagesGiveTheReferenceIds() {
        JsonNode text = post("/tokenize", JSON.createObjectNode().put("model", MODEL)
                .put("prompt", CASE.get("text").asText()));
        assertEquals(CASE.get("prompt_ids"), text.get("tokens"));
        assertEquals(CASE.get("prompt_ids").size(), text.get("count").asInt());
        assertEquals(engine().contextLength(), text.get("max_model_len").asInt());
        assertFalse(text.has("token_strs"));

        ObjectNode chat = JSON.createObjectNode().put("model", MODEL);
        chat.set("messages", CASE.get("messages"));
        assertEquals(CASE.get("prompt_ids"), post("/tokenize", chat).get("tokens"), "rendered with the template");
    }

    @Test
    void specialTokensOnlyWhenAsked() {
        ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("prompt", "Hello there")
                .put("return_token_strs", true);
        JsonNode with = post("/tokenize", body);
        JsonNode without = post("/tokenize", body.put("add_special_tokens", false));
        assertEquals(with.get("count").asInt() - 1, without.get("count").asInt(), "BOS is the difference");
        assertNotEquals(with.at("/tokens/0"), without.at("/tokens/0"));
        assertEquals("Hello", without.at("/token_strs/0").asText());
        assertEquals(" there", without.at("/token_strs/1").asText());
    }

    @Test
    void detokenizeRoundTrips() {
        ObjectNode body = JSON.createObjectNode().put("model", MODEL);
        body.set("tokens", CASE.get("prompt_ids"));
        assertEquals(CASE.get("text").asText(), post("/detokenize", body).get("prompt").asText());
    }

    /** The body of a refusal, checked for its status and parameter. */
    static JsonNode refusal(String route, ObjectNode body, String param) {
        JsonNode error = JSON.valueToTree(given().contentType("application/json").body(body.toString()).post(route)
                .then().statusCode(400).extract().as(Object.class)).get("error");
        assertEquals(param, error.get("param").asText(), error.toString());
        return error;
    }

    @Test
    void textOverTheContextIsRefusedNamingTheLimitAfterReadingABoundedPrefix() {
        int context = engine().contextLength();
        // About 1.4 million tokens' worth of text: before the bound, all of it was tokenised and sent back.
        String huge = "lorem ipsum dolor sit amet ".repeat(260_000);
        JsonNode error = refusal("/tokenize", JSON.createObjectNode().put("model", MODEL).put("prompt", huge)
                .put("return_token_strs", true), "prompt");
        assertTrue(error.get("message").asText().contains("over the context length of " + context),
                error.toString());
        ObjectNode chat = JSON.createObjectNode().put("model", MODEL);
        chat.putArray("messages").addObject().put("role", "user").put("content", "word ".repeat(2 * context));
        refusal("/tokenize", chat, "messages");

        // As many tokens as the context holds are still counted.
        int[] ids = engine().encode("word ".repeat(context), false);
        String fits = engine().decode(java.util.Arrays.copyOf(ids, context), false);
        JsonNode counted = post("/tokenize", JSON.createObjectNode().put("model", MODEL).put("prompt", fits)
                .put("add_special_tokens", false));
        assertEquals(context, counted.get("count").asInt(), "exactly the context is not over it");
        assertEquals(0, admission.running());
    }

    @Test
    void moreIdsThanTheContextAreRefusedNamingTheLimit() {
        int context = engine().contextLength();
        ObjectNode body = JSON.createObjectNode().put("model", MODEL);
        var ids = body.putArray("tokens");
        for (int i = 0; i < context; i++) {
            ids.add(CASE.at("/prompt_ids/1").asInt());
        }
        assertFalse(post("/detokenize", body).get("prompt").asText().isEmpty(), "the context's worth is decoded");
        ids.add(CASE.at("/prompt_ids/1").asInt());
        JsonNode error = refusal("/detokenize", body, "tokens");
        assertTrue(error.get("message").asText().contains("At most " + context + " token ids"), error.toString());
        assertEquals(0, admission.running());
    }

    @Test
    void modelCardsShowTheContextLengthOfChatModels() {
        JsonNode list = JSON.valueToTree(given().get("/v1/models").then().statusCode(200).extract().as(Object.class));
        boolean sawChat = false;
        for (JsonNode card : list.get("data")) {
            if (card.get("kind").asText().equals("chat")) {
                sawChat = true;
                assertTrue(card.get("max_model_len").asInt() > 0, card.toString());
            } else {
                assertFalse(card.has("max_model_len"), card.toString());
            }
        }
        assertTrue(sawChat);
        given().get("/v1/models/" + MODEL).then().statusCode(200)
                .body("max_model_len", equalTo(engine().contextLength()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            neither                | /tokenize   | {}                                          | 400 | prompt
            both                   | /tokenize   | {"prompt":"a","messages":[{"role":"user","content":"b"}]} | 400 | prompt
            bad messages           | /tokenize   | {"messages":[{"role":"wizard","content":"b"}]} | 400 | messages[0].role
            embedding model        | /tokenize   | {"model":"all-minilm-l6-v2","prompt":"a"}   | 400 | model
            unknown model          | /tokenize   | {"model":"gpt-9","prompt":"a"}              | 404 | model
            no tokens              | /detokenize | {}                                          | 400 | tokens
            tokens not ids         | /detokenize | {"tokens":["a"]}                            | 400 | tokens
            id outside vocabulary  | /detokenize | {"tokens":[1,99999999]}                     | 400 | tokens
            """)
    void refused(String name, String route, String body, int status, String param) {
        String json = body.contains("\"model\"") ? body
                : body.replaceFirst("\\{", "{\"model\":\"" + MODEL + "\",").replace(",}", "}");
        given().contentType("application/json").body(json).post(route).then().statusCode(status)
                .body("error.param", equalTo(param));
        assertEquals(0, admission.running());
    }
}
