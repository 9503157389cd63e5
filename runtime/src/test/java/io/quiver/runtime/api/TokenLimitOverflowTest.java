package io.quiver.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A token limit near Integer.MAX_VALUE is refused on every text route; it never wraps into a generation without end. */
@QuarkusTest
class TokenLimitOverflowTest {
    static final String MODEL = "tiny-random-deepseek-r1";
    static final String CHAT = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
            + "\"ignore_eos\":true,\"temperature\":0,";

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    /** A client that gives up after 30 s, where the unfixed server generated for ever. */
    static RequestSpecification client() {
        return given().config(RestAssured.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 30_000))).contentType("application/json");
    }

    void assertRefused(Response response, String param) {
        assertEquals(400, response.statusCode(), response.asString());
        assertEquals(param, response.jsonPath().getString("error.param"), response.asString());
        assertTrue(response.jsonPath().getString("error.message").contains("context length"), response.asString());
        assertEquals(0, admission.running());
    }

    @Test
    void chatMaxTokens() {
        assertRefused(client().body(CHAT + "\"max_tokens\":2147483647}").post("/v1/chat/completions"),
                "max_tokens");
        assertRefused(client().body(CHAT + "\"max_tokens\":2147483600,\"stream\":true}").post("/v1/chat/completions"),
                "max_tokens");
    }

    @Test
    void chatMaxCompletionTokens() {
        assertRefused(client().body(CHAT + "\"max_completion_tokens\":2147483647}").post("/v1/chat/completions"),
                "max_tokens");
    }

    @Test
    void legacyCompletions() {
        assertRefused(client().body("{\"model\":\"" + MODEL + "\",\"prompt\":\"Hi\",\"max_tokens\":2147483647,"
                + "\"ignore_eos\":true}").post("/v1/completions"), "max_tokens");
    }

    @Test
    void cloudEvents() {
        Response response = client().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", "/tests").header("ce-type", "io.quiver.chat.completion.request")
                .body(CHAT + "\"max_tokens\":2147483647}").post("/events");
        assertEquals(400, response.statusCode(), response.asString());
        assertEquals("max_tokens", response.jsonPath().getString("error.param"), response.asString());
        assertEquals(0, admission.running());
    }
}
