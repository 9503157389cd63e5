package io.quiver.runtime.admission;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.runtime.Ready;
import io.quiver.runtime.Prometheus;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request takes one slot of the cap per batch row it runs, prompts × n: a completions request with several
 * prompts, or a chat or completions request (HTTP or CloudEvent) with n choices, cannot fill the batch ahead of the
 * requests admitted beside it (cap 2 here), and more rows than the cap are refused before admission.
 */
@QuarkusTest
@TestProfile(TightCapProfile.class)
class MultiPromptAdmissionTest {
    static final String TWO_PROMPTS = """
            {"model":"tiny-random-deepseek-r1","prompt":["Once upon a time","In a galaxy"],"max_tokens":480,
             "ignore_eos":true,"temperature":0,"stream":true}""";
    static final String ONE_TOKEN = """
            {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"Hi"}],"max_tokens":1}""";
    static final String LONG_STREAM = """
            {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"Hi"}],"max_tokens":480,
             "ignore_eos":true,"temperature":0,"stream":true}""";
    static final String TWO_CHOICES_CHAT = """
            {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"n":2}""";
    static final String TWO_CHOICES_TEXT = """
            {"model":"tiny-random-deepseek-r1","prompt":"Once upon a time","max_tokens":4,"n":2}""";

    @TestHTTPResource("/v1/completions")
    URL completions;
    @TestHTTPResource("/v1/chat/completions")
    URL chat;
    @TestHTTPResource("/events")
    URL events;
    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    HttpRequest post(URL url, String body) {
        return HttpRequest.newBuilder(URI.create(url.toString())).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TightCapProfile.KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A chat completion request delivered as a binary-mode CloudEvent. */
    HttpRequest event(String body) {
        return HttpRequest.newBuilder(URI.create(events.toString())).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TightCapProfile.KEY).header("ce-specversion", "1.0")
                .header("ce-type", "io.quiver.chat.completion.request").header("ce-source", "/tests")
                .header("ce-id", UUID.randomUUID().toString()).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static double admitted() {
        return Prometheus.value(Prometheus.scrape("/metrics"), "quiver_request_queue_seconds_count",
                "model=\"tiny-random-deepseek-r1\"").orElse(0);
    }

    @Test
    void morePromptsThanTheCapAreRefusedBeforeAdmission() {
        Response response = given().contentType(ContentType.JSON).header("Authorization", "Bearer "
                + TightCapProfile.KEY).body("{\"model\":\"tiny-random-deepseek-r1\",\"prompt\":[\"a\",\"b\",\"c\"],"
                + "\"max_tokens\":1}").post("/v1/completions");
        assertEquals(400, response.statusCode(), response.asString());
        assertEquals("prompt", response.jsonPath().getString("error.param"));
        assertTrue(response.jsonPath().getString("error.message").contains("At most 2 completions"),
                response.asString());
        assertEquals(0, admission.running());
    }

    @Test
    void moreChoicesThanTheCapAreRefusedBeforeAdmissionOnEveryRoute() throws Exception {
        double before = admitted();
        Response text = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TightCapProfile.KEY)
                .body("{\"model\":\"tiny-random-deepseek-r1\",\"prompt\":[\"a\",\"b\"],\"n\":2,\"max_tokens\":1}")
                .post("/v1/completions");
        assertEquals(400, text.statusCode(), text.asString());
        assertEquals("n", text.jsonPath().getString("error.param"));
        assertTrue(text.jsonPath().getString("error.message").contains("got 2 × 2"), text.asString());
        Response chatN = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TightCapProfile.KEY)
                .body(TWO_CHOICES_CHAT.replace("\"n\":2", "\"n\":3")).post("/v1/chat/completions");
        assertEquals(400, chatN.statusCode(), chatN.asString());
        assertEquals("n", chatN.jsonPath().getString("error.param"));
        HttpResponse<String> reply = HttpClient.newHttpClient().send(event(TWO_CHOICES_CHAT.replace("\"n\":2",
                "\"n\":3")), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, reply.statusCode(), reply.body());
        assertTrue(reply.body().contains("\"param\":\"n\""), reply.body());
        assertEquals(before, admitted(), "none of them waited for or took a slot");
        assertEquals(0, admission.running());
    }

    /**
     * While a stream holds one of the two slots, a request whose n = 2 choices are two batch rows must wait for
     * the second slot; before, its choices shared one slot and it joined the batch at once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"chat", "completions", "events"})
    void nChoicesTakeOneSlotEach(String route) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> held = client.send(post(chat, LONG_STREAM),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader stream = new BufferedReader(new InputStreamReader(held.body(), StandardCharsets.UTF_8))) {
            assertTrue(stream.readLine().startsWith("data: "), "the stream started");
            HttpRequest request = switch (route) {
                case "chat" -> post(chat, TWO_CHOICES_CHAT);
                case "completions" -> post(completions, TWO_CHOICES_TEXT);
                default -> event(TWO_CHOICES_CHAT);
            };
            CompletableFuture<HttpResponse<String>> twoRows = client.sendAsync(request,
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (admission.running() + admission.waiting() < 2) {
                assertTrue(System.nanoTime() < deadline, "the n = 2 request never arrived");
                Thread.sleep(1);
            }
            assertEquals(1, admission.waiting(), "the n = 2 request needs both slots, so it waits for admission");
            assertEquals(1, admission.running());
            int status = twoRows.get().statusCode();
            assertTrue(status == 200 || status == 503, "status " + status);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (admission.running() + admission.waiting() > 0) {
            assertTrue(System.nanoTime() < deadline, "requests still in flight after 30 s");
            Thread.sleep(10);
        }
    }

    @Test
    void aTwoPromptRequestHoldsBothSlotsSoTheNextRequestQueuesForAdmission() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> big = client.send(post(completions, TWO_PROMPTS),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader stream = new BufferedReader(new InputStreamReader(big.body(), StandardCharsets.UTF_8))) {
            assertTrue(stream.readLine().startsWith("data: "), "the two-prompt stream started");
            CompletableFuture<HttpResponse<String>> small = client.sendAsync(post(chat, ONE_TOKEN),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (admission.running() + admission.waiting() < 2) {
                assertTrue(System.nanoTime() < deadline, "the second request never arrived");
                Thread.sleep(1);
            }
            assertEquals(1, admission.waiting(), "the one-token request must wait for a slot, not join the batch");
            assertEquals(1, admission.running());
            // It is served once the stream ends, or turned away with Retry-After at the queue timeout.
            int status = small.get().statusCode();
            assertTrue(status == 200 || status == 503, "status " + status);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (admission.running() + admission.waiting() > 0) {
            assertTrue(System.nanoTime() < deadline, "requests still in flight after 30 s");
            Thread.sleep(10);
        }
    }
}
