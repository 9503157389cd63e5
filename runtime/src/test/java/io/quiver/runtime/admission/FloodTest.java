package io.quiver.runtime.admission;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.quiver.runtime.lifecycle.ServedModel;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A flood of 10 × (cap + queue) concurrent requests: every one ends 200 or 503 with Retry-After; none is lost. */
@QuarkusTest
@TestProfile(TightCapProfile.class)
class FloodTest {
    static final int CAP = 2;
    static final int QUEUE = 4;

    @TestHTTPResource("/v1/embeddings")
    URL embeddings;

    @Inject
    ModelRegistry registry;

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    /** Sixteen ~200-token inputs: a request that keeps MiniLM busy for a fraction of a second. */
    static String slowBody() {
        String text = "a long sentence that keeps the encoder busy for a while ".repeat(16).trim();
        List<String> inputs = java.util.Collections.nCopies(16, "\"" + text + "\"");
        return "{\"model\":\"all-minilm-l6-v2\",\"input\":[" + String.join(",", inputs) + "]}";
    }

    @Test
    void floodNeverExceedsTheCapAndLosesNothing() throws Exception {
        int requests = 10 * (CAP + QUEUE);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(embeddings.toString()))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TightCapProfile.KEY)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(slowBody())).build();
        List<CompletableFuture<long[]>> calls = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                boolean retryAfter = r.headers().firstValue("Retry-After").isPresent();
                assertTrue(r.statusCode() == 200 || (r.statusCode() == 503 && retryAfter
                        && r.body().contains("server_overloaded")), r.statusCode() + " " + r.body());
                return new long[] {r.statusCode(), System.nanoTime() - start};
            }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
        long ok = calls.stream().filter(c -> c.join()[0] == 200).count();
        long[] rejectNanos = calls.stream().map(CompletableFuture::join).filter(r -> r[0] == 503)
                .mapToLong(r -> r[1]).sorted().toArray();
        assertEquals(requests, ok + rejectNanos.length, "every request answered");
        assertTrue(ok >= CAP, "at least the first requests ran: " + ok);
        assertTrue(rejectNanos.length > 0, "the flood overflowed the queue");

        ServedModel minilm = registry.all().stream().filter(m -> m.name().equals("all-minilm-l6-v2")).findFirst()
                .orElseThrow();
        // The engine's own count of requests inside a batch, independent of the admission counters.
        assertTrue(minilm.encoder().peakExecuting() <= CAP, "engine saw " + minilm.encoder().peakExecuting());
        assertEquals(0, admission.running());
        assertEquals(0, admission.waiting());
        System.out.printf("flood: %d requests, %d ok, %d rejected; reject latency p50 %.1f ms, p99 %.1f ms; "
                        + "engine peak in flight %d (cap %d)%n", requests, ok, rejectNanos.length,
                percentile(rejectNanos, 0.5), percentile(rejectNanos, 0.99), minilm.encoder().peakExecuting(), CAP);

        String m = Prometheus.scrape("/q/metrics");
        String model = "model=\"all-minilm-l6-v2\"";
        assertEquals(0.0, Prometheus.require(m, "quiver_requests_running", model, "revision=\"local\""));
        assertEquals(0.0, Prometheus.require(m, "quiver_requests_waiting", model));
        assertEquals(rejectNanos.length, Prometheus.require(m, "quiver_requests_rejected_total", model,
                "reason=\"queue_full\"") + Prometheus.value(m, "quiver_requests_rejected_total", model,
                "reason=\"queue_timeout\"").orElse(0));
        assertEquals(rejectNanos.length, Prometheus.require(m, "quiver_requests_total", model,
                "route=\"embeddings\"", "status=\"503\""));
        assertTrue(Prometheus.require(m, "quiver_request_queue_seconds_bucket", model, "le=\"+Inf\"") >= ok);
        assertTrue(Prometheus.require(m, "quiver_concurrency_average") > 0);
    }

    @Test
    void apiKeyGuardsInferenceButNotProbes() {
        given().contentType(ContentType.JSON).body("{\"input\":\"x\",\"model\":\"all-minilm-l6-v2\"}")
                .post("/v1/embeddings").then().statusCode(401)
                .body("error.code", equalTo("invalid_api_key"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer wrong")
                .body("{\"input\":\"x\",\"model\":\"all-minilm-l6-v2\"}").post("/v1/embeddings").then().statusCode(401);
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TightCapProfile.KEY)
                .body("{\"input\":\"x\",\"model\":\"all-minilm-l6-v2\"}").post("/v1/embeddings").then().statusCode(200)
                .header("x-quiver-revision", "local");
        given().get("/health").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/metrics").then().statusCode(200);
    }

    @Test
    void oversizeBodyIs413InOpenAiShape() {
        String big = "{\"input\":\"" + "x".repeat(300 * 1024) + "\"}";
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TightCapProfile.KEY).body(big)
                .post("/v1/embeddings").then().statusCode(413)
                .body("error.code", equalTo("request_too_large"))
                .body("error.message", containsString("262144"));
    }

    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.ceil(p * sortedNanos.length) - 1)] / 1e6;
    }

}
