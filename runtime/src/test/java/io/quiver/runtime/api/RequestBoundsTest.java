package io.quiver.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What one request may cost the pod before it is admitted or refused is bounded by the model's context, not by
 * the size of its body, on every route that takes text.
 */
@QuarkusTest
class RequestBoundsTest {
    /** About 6 MB of text: under the 8 MB body limit, far over any context. */
    private static final String HUGE = "Scaling inference pods from zero when traffic arrives. ".repeat(110_000);
    private static final String SMALL = "{\"model\":\"all-minilm-l6-v2\",\"input\":\"one word\"}";

    @TestHTTPResource("/v1/embeddings")
    URL embeddings;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    private static String inputs(int count) {
        return "[" + String.join(",", Collections.nCopies(count, "\"a\"")) + "]";
    }

    @Test
    void everyEncoderRouteTakesAtMost2048Inputs() {
        given().contentType(ContentType.JSON).body("{\"query\":\"q\",\"texts\":" + inputs(2049) + "}")
                .post("/rerank").then().statusCode(400).body("error.param", equalTo("texts"))
                .body("error.message", containsString("2048"));
        given().contentType(ContentType.JSON).body("{\"model\":\"intents\",\"inputs\":" + inputs(2049) + "}")
                .post("/predict").then().statusCode(400).body("error.param", equalTo("inputs"));
        given().contentType(ContentType.JSON).body("{\"inputs\":" + inputs(2049) + "}")
                .post("/embed").then().statusCode(400).body("error.param", equalTo("inputs"));
        given().contentType(ContentType.JSON).body("{\"input\":" + inputs(2049) + "}")
                .post("/v1/embeddings").then().statusCode(400).body("error.param", equalTo("input"));
    }

    @Test
    void aHugeInputGetsItsClear400OrWithTruncateItsAnswer() {
        String body = "{\"model\":\"all-minilm-l6-v2\",\"input\":\"" + HUGE + "\"";
        given().contentType(ContentType.JSON).body(body + "}").post("/v1/embeddings").then().statusCode(400)
                .body("error.param", equalTo("input")).body("error.message", containsString("more than"));
        given().contentType(ContentType.JSON).body(body + ",\"truncate\":true}").post("/v1/embeddings").then()
                .statusCode(200).body("usage.prompt_tokens", equalTo(256));
        given().contentType(ContentType.JSON).body("{\"query\":\"q\",\"texts\":[\"" + HUGE + "\"]}")
                .post("/rerank").then().statusCode(400).body("error.param", equalTo("texts[0]"));
        given().contentType(ContentType.JSON).body("{\"model\":\"tiny-random-deepseek-r1\",\"prompt\":\"" + HUGE
                + "\",\"max_tokens\":1}").post("/v1/completions").then().statusCode(400)
                .body("error.param", equalTo("prompt")).body("error.message", containsString("more than"));
        given().contentType(ContentType.JSON).body("{\"model\":\"tiny-random-deepseek-r1\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"" + HUGE + "\"}],\"max_tokens\":1}").post("/v1/chat/completions").then()
                .statusCode(400).body("error.param", equalTo("messages"));
        String metrics = Prometheus.scrape("/q/metrics");
        for (String route : List.of("embeddings", "rerank", "completions", "chat")) {
            assertTrue(Prometheus.require(metrics, "quiver_request_preparation_seconds_count",
                    "route=\"" + route + "\"") >= 1, route);
        }
    }

    @Test
    void tooManyMessagesAreRefusedBeforeRendering() {
        String messages = String.join(",", Collections.nCopies(200_000, "{\"role\":\"user\",\"content\":\"hi\"}"));
        given().contentType(ContentType.JSON).body("{\"model\":\"tiny-random-deepseek-r1\",\"messages\":[" + messages
                + "],\"max_tokens\":1}").post("/v1/chat/completions").then().statusCode(400)
                .body("error.message", containsString("cannot fit the context"));
    }

    @Test
    void sixHugeBodiesInFlightBarelyDelayASmallRequest() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = embeddings.toURI();
        long idle = medianMillis(http, uri, 15);
        String huge = "{\"model\":\"all-minilm-l6-v2\",\"input\":[\"" + HUGE + "\"]}";
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        List<Future<?>> senders = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (int i = 0; i < 6; i++) {
                senders.add(pool.submit(() -> {
                    while (!stop.get()) {
                        HttpResponse<String> r = http.send(post(uri, huge), HttpResponse.BodyHandlers.ofString());
                        assertEquals(400, r.statusCode(), r.body());
                        refused.incrementAndGet();
                    }
                    return null;
                }));
            }
            long loaded;
            try {
                Thread.sleep(500);
                loaded = medianMillis(http, uri, 15);
            } finally {
                stop.set(true); // also on failure, or closing the pool waits for the senders for ever
            }
            for (Future<?> f : senders) {
                f.get();
            }
            System.out.printf("small request: %d ms idle, %d ms beside six huge bodies (%d refused)%n", idle,
                    loaded, refused.get());
            assertTrue(refused.get() >= 6, "the huge bodies were answered: " + refused.get());
            assertTrue(loaded <= 4 * Math.max(idle, 10), "idle " + idle + " ms, loaded " + loaded + " ms");
        }
    }

    private static HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static long medianMillis(HttpClient http, URI uri, int n) throws Exception {
        long[] millis = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(post(uri, SMALL), HttpResponse.BodyHandlers.ofString());
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode(), r.body());
        }
        Arrays.sort(millis);
        return millis[n / 2];
    }
}
