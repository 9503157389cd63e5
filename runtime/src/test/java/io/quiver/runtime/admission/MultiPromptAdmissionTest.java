package io.quiver.runtime.admission;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.runtime.Ready;
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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A completions request with several prompts takes one slot of the cap per prompt: it cannot fill the batch ahead
 * of the requests admitted beside it (cap 2 here), and no more prompts than the cap are accepted at all.
 */
@QuarkusTest
@TestProfile(TightCapProfile.class)
class MultiPromptAdmissionTest {
    static final String TWO_PROMPTS = """
            {"model":"tiny-random-deepseek-r1","prompt":["Once upon a time","In a galaxy"],"max_tokens":480,
             "ignore_eos":true,"temperature":0,"stream":true}""";
    static final String ONE_TOKEN = """
            {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"Hi"}],"max_tokens":1}""";

    @TestHTTPResource("/v1/completions")
    URL completions;
    @TestHTTPResource("/v1/chat/completions")
    URL chat;
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

    @Test
    void morePromptsThanTheCapAreRefusedBeforeAdmission() {
        Response response = given().contentType(ContentType.JSON).header("Authorization", "Bearer "
                + TightCapProfile.KEY).body("{\"model\":\"tiny-random-deepseek-r1\",\"prompt\":[\"a\",\"b\",\"c\"],"
                + "\"max_tokens\":1}").post("/v1/completions");
        assertEquals(400, response.statusCode(), response.asString());
        assertEquals("prompt", response.jsonPath().getString("error.param"));
        assertTrue(response.jsonPath().getString("error.message").contains("At most 2 prompts"),
                response.asString());
        assertEquals(0, admission.running());
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
