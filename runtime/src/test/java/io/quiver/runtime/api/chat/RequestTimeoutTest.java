package io.quiver.runtime.api.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No request waits on its model past quiver.request-timeout, for its grammar or its answer: its work is cancelled
 * and it is answered.
 */
@QuarkusTest
@TestProfile(RequestTimeoutProfile.class)
class RequestTimeoutTest {
    /** Two prompts of 480 tokens each: seconds of work on any machine, against a 300 ms limit. */
    static final String LONG_COMPLETIONS = """
            {"model":"tiny-random-deepseek-r1","prompt":["Once upon a time","In a galaxy"],"max_tokens":480,
             "ignore_eos":true,"temperature":0}""";
    static final String LONG_STREAM = """
            {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"Tell me a story"}],
             "stream":true,"max_tokens":480,"ignore_eos":true,"temperature":0}""";

    static final String LONG_RESPONSE = """
            {"model":"tiny-random-deepseek-r1","input":"Tell me a story","stream":true,"max_output_tokens":480,
             "ignore_eos":true,"temperature":0}""";

    @Inject
    Admission admission;
    @Inject
    ModelRegistry registry;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    ChatEngine engine() {
        return registry.resolve(ChatRoutesTest.MODEL, Set.of(ModelKind.CHAT), "test").engine(ChatEngine.class);
    }

    @Test
    void aRequestPastTheTimeoutGets504AndItsWorkStops() throws Exception {
        Response response = given().contentType("application/json").body(LONG_COMPLETIONS).post("/v1/completions");
        assertEquals(504, response.statusCode(), response.asString());
        assertEquals("request_timeout", response.jsonPath().getString("error.code"));
        StreamDisconnectTest.await(() -> admission.running() == 0 && engine().running() == 0
                && engine().kvCacheUsage() == 0, "slot and batch rows freed");
    }

    @Test
    void aGrammarStillCompilingAtTheTimeoutGets504AndItsCompileStops() throws Exception {
        int kept = engine().grammars().cached();
        Response response = given().contentType("application/json").body("""
                {"model":"tiny-random-deepseek-r1","prompt":"hi","max_tokens":1,
                 "structured_outputs":{"regex":"(a|b)*a(a|b){18}"}}""").post("/v1/completions");
        assertEquals(504, response.statusCode(), response.asString());
        assertEquals("request_timeout", response.jsonPath().getString("error.code"));
        StreamDisconnectTest.await(() -> engine().grammars().compiling() == 0, "the compile stopped");
        assertEquals(kept, engine().grammars().cached(), "it stopped before it finished");
        assertEquals(0, admission.running());
    }

    @Test
    void aStreamPastTheTimeoutEndsWithAbortAndDone() throws Exception {
        String stream = given().contentType("application/json").body(LONG_STREAM).post("/v1/chat/completions")
                .then().statusCode(200).extract().asString();
        assertTrue(stream.strip().endsWith("data: [DONE]"), stream);
        List<JsonNode> events = SseEvents.parse(stream);
        assertEquals("abort", events.getLast().at("/choices/0/finish_reason").asText(), stream);
        assertTrue(events.size() < 480, "the stream was not cut: " + events.size() + " events");
        StreamDisconnectTest.await(() -> admission.running() == 0 && engine().running() == 0,
                "slot and batch row freed");
    }

    @Test
    void aResponsesStreamPastTheTimeoutEndsFailedWithoutDone() throws Exception {
        String stream = given().contentType("application/json").body(LONG_RESPONSE).post("/v1/responses")
                .then().statusCode(200).extract().asString();
        assertFalse(stream.contains("[DONE]"), stream);
        JsonNode last = SseEvents.parse(stream).getLast();
        assertEquals("response.failed", last.get("type").asText(), stream);
        assertEquals("failed", last.at("/response/status").asText());
        assertEquals("server_error", last.at("/response/error/code").asText());
        assertTrue(last.at("/response/usage/output_tokens").asInt() < 480, "the stream was not cut: " + last);
        StreamDisconnectTest.await(() -> admission.running() == 0 && engine().running() == 0,
                "slot and batch row freed");
    }
}
