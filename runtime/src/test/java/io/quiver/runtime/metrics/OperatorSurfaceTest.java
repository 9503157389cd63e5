package io.quiver.runtime.metrics;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.quiver.runtime.lifecycle.ServedModel;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What an operator reads off a fresh pod: every counter an alert or autoscaler rates exists at 0 before the first
 * request, no GPU series on the CPU, CloudEvents counted under the status and model they were answered with,
 * /events deliverable without the key when so configured, and one access-log line per request.
 */
@QuarkusTest
@TestProfile(OperatorProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorSurfaceTest {
    private static final String AUTH = "Bearer " + OperatorProfile.KEY;

    @Inject
    ModelRegistry registry;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    @Order(1)
    void everyCounterAnAlertReadsIsThereAtZeroBeforeTheFirstRequest() {
        String text = Prometheus.scrape("/q/metrics");
        List<ServedModel> served = List.copyOf(registry.all());
        assertTrue(served.size() >= 5, "served: " + served);
        for (ServedModel m : served) {
            String model = "model=\"" + m.name() + "\"";
            for (String reason : QuiverMetrics.REJECT_REASONS) {
                assertEquals(0, Prometheus.require(text, "quiver_requests_rejected_total", model,
                        "reason=\"" + reason + "\""), m.name() + " " + reason);
            }
            for (String route : QuiverMetrics.routes(m.kind())) {
                for (String status : List.of("200", "500", "503")) {
                    assertEquals(0, Prometheus.require(text, "quiver_requests_total", "route=\"" + route + "\"",
                            model, "status=\"" + status + "\""), m.name() + " " + route + " " + status);
                }
                assertEquals(0, Prometheus.require(text, "quiver_request_seconds_count", "route=\"" + route + "\"",
                        model), m.name() + " " + route);
            }
            if (m.kind() == ModelKind.CHAT) {
                for (String reason : List.of("buffer_full", "stalled")) {
                    assertEquals(0, Prometheus.require(text, "quiver_streams_aborted_total", model,
                            "reason=\"" + reason + "\""), m.name());
                }
                assertEquals(0, Prometheus.require(text, "quiver_generation_tokens_total", model), m.name());
                assertEquals(0, Prometheus.require(text, "quiver_time_to_first_token_seconds_count", model));
                gatewaySeriesAtIdle(text, model, (ChatEngine) m.engine());
            }
        }
    }

    /** The inference gateway's series (GatewayMetrics) of an idle chat model: nothing queued, running or held. */
    private static void gatewaySeriesAtIdle(String text, String model, ChatEngine engine) {
        for (String name : List.of("quiver_sequences_waiting", "quiver_sequences_running",
                "quiver_kv_slots_usage_ratio")) {
            assertEquals(0, Prometheus.require(text, name, model), model + " " + name);
        }
        assertEquals(1, Prometheus.require(text, "quiver_kv_cache_info", model,
                "block_size=\"" + engine.contextLength() + "\"", "num_gpu_blocks=\"" + engine.maxBatch() + "\""),
                model);
        assertTrue(Prometheus.require(text, "quiver_lora_info", model, "max_lora=\"0\"",
                "running_lora_adapters=\"\"", "waiting_lora_adapters=\"\"") > 1.7e9, model + ": an epoch second");
    }

    @Test
    @Order(2)
    void onTheCpuNoGpuSeriesIsExported() {
        String text = Prometheus.scrape("/q/metrics");
        assertFalse(text.contains("quiver_gpu_"), "GPU series on a CPU pod:\n" + text.lines()
                .filter(l -> l.contains("quiver_gpu_")).toList());
        // What is exported instead says where the models run.
        assertTrue(text.contains("quiver_model_load_seconds"), text);
    }

    @Test
    @Order(3)
    void anEventRefusedWith422IsCountedAs422UnderTheModelItNamed() {
        String unknown = event("io.quiver.embedding.request", "{\"model\":\"no-such-model\",\"input\":\"x\"}");
        given().contentType("application/cloudevents+json").body(unknown).post("/events").then().statusCode(422);
        // A served model that is the wrong kind for the operation: 400, under that model's name.
        String wrongKind = event("io.quiver.embedding.request",
                "{\"model\":\"tiny-random-deepseek-r1\",\"input\":\"x\"}");
        given().contentType("application/cloudevents+json").body(wrongKind).post("/events").then().statusCode(400);
        String text = Prometheus.scrape("/q/metrics");
        assertEquals(1, Prometheus.require(text, "quiver_requests_total", "route=\"events\"", "model=\"unknown\"",
                "status=\"422\""));
        assertTrue(Prometheus.value(text, "quiver_requests_total", "route=\"events\"", "status=\"404\"").isEmpty(),
                "an event is never answered 404");
        assertEquals(1, Prometheus.require(text, "quiver_requests_total", "route=\"events\"",
                "model=\"tiny-random-deepseek-r1\"", "status=\"400\""));
        assertEquals(1, Prometheus.require(text, "quiver_events_total", "type=\"io.quiver.embedding.request\"",
                "status=\"422\""));
    }

    @Test
    @Order(4)
    void eventsNeedNoKeyWhenConfiguredSoWhileTheRoutesStillDo() {
        String event = event("io.quiver.embedding.request", "{\"model\":\"all-minilm-l6-v2\",\"input\":\"x\"}");
        given().contentType("application/cloudevents+json").body(event).post("/events").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"input\":\"x\"}")
                .post("/v1/embeddings").then().statusCode(401);
        given().header("Authorization", AUTH).contentType(ContentType.JSON)
                .body("{\"model\":\"all-minilm-l6-v2\",\"input\":\"x\"}").post("/v1/embeddings").then().statusCode(200);
    }

    @Test
    @Order(5)
    void theAccessLogHasOneLinePerRequestWithMethodPathStatusDurationAndModel() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getParameters() == null ? record.getMessage()
                        : String.format(record.getMessage(), record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("io.quiver.access");
        logger.addHandler(handler);
        try {
            given().header("Authorization", AUTH).contentType(ContentType.JSON)
                    .body("{\"model\":\"all-minilm-l6-v2\",\"input\":\"logged\"}").post("/v1/embeddings").then()
                    .statusCode(200);
            given().header("Authorization", AUTH).contentType(ContentType.JSON)
                    .body("{\"model\":\"no-such-model\",\"input\":\"x\"}").post("/v1/embeddings").then()
                    .statusCode(404);
            given().get("/q/health/ready").then().statusCode(200);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (lines.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(200);
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(2, lines.size(), "one line per API request, none for probes: " + lines);
        assertTrue(lines.get(0).matches("POST /v1/embeddings 200 \\d+ ms model all-minilm-l6-v2"), lines.get(0));
        assertTrue(lines.get(1).matches("POST /v1/embeddings 404 \\d+ ms model -"), lines.get(1));
    }

    private static String event(String type, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"source\":\"/ops\",\"type\":\""
                + type + "\",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
    }
}
