package io.quiver.runtime.api.messages;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.admission.Permit;
import io.quiver.runtime.admission.TightCapProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Messages routes meet before any route, in Anthropic's terms: the API key as Anthropic's clients send it
 * ({@code x-api-key}, read on these routes alone), and the gate's and admission's refusals (401, 413, 503 with
 * {@code Retry-After}) in Anthropic's error shape.
 */
@QuarkusTest
@TestProfile(TightCapProfile.class)
class MessagesGateTest {
    private static final String MODEL = "tiny-random-deepseek-r1";
    private static final String COUNT = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"hi\"}]}";

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void anthropicsKeyHeaderOrABearerTokenIsTheKey() {
        given().contentType(ContentType.JSON).header("x-api-key", TightCapProfile.KEY).body(COUNT)
                .post("/v1/messages/count_tokens").then().statusCode(200);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TightCapProfile.KEY).body(COUNT)
                .post("/v1/messages/count_tokens").then().statusCode(200);
        for (String key : new String[] {null, "wrong"}) {
            var request = given().contentType(ContentType.JSON).body(COUNT);
            Response r = (key == null ? request : request.header("x-api-key", key)).post("/v1/messages/count_tokens");
            assertEquals(401, r.statusCode(), r.asString());
            assertEquals("error", r.jsonPath().getString("type"), r.asString());
            assertEquals("authentication_error", r.jsonPath().getString("error.type"), r.asString());
            assertTrue(r.jsonPath().getString("error.message").contains("x-api-key"), r.asString());
        }
        Response openAi = given().header("x-api-key", TightCapProfile.KEY).get("/v1/models");
        assertEquals(401, openAi.statusCode(), "x-api-key is read on the Messages routes alone");
        assertEquals("invalid_api_key", openAi.jsonPath().getString("error.code"), openAi.asString());
    }

    @Test
    void aBodyOverTheLimitIsRequestTooLarge() {
        Response r = given().contentType(ContentType.JSON).header("x-api-key", TightCapProfile.KEY)
                .body("{\"system\":\"" + "x".repeat(300_000) + "\"}").post("/v1/messages");
        assertEquals(413, r.statusCode(), r.asString());
        assertEquals("request_too_large", r.jsonPath().getString("error.type"), r.asString());
    }

    @Test
    void pastTheCapAndTheQueueIsOverloadedWithRetryAfter() {
        Permit held = admission.admit(MODEL, admission.max());
        try {
            Response r = given().contentType(ContentType.JSON).header("x-api-key", TightCapProfile.KEY)
                    .body("{\"model\":\"" + MODEL + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"hi\"}]}").post("/v1/messages");
            assertEquals(503, r.statusCode(), r.asString());
            assertEquals("overloaded_error", r.jsonPath().getString("error.type"), r.asString());
            assertNotNull(r.header("Retry-After"), r.headers().toString());
        } finally {
            held.close();
        }
    }
}
