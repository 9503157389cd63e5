package io.quiver.runtime.api.events;

import static io.quiver.runtime.api.events.CloudEventsHttp.event;
import static io.quiver.runtime.api.events.CloudEventsHttp.post;
import static io.quiver.runtime.api.events.CloudEventsHttp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.admission.Permit;
import io.quiver.runtime.api.events.CloudEventsHttp.Mode;
import io.quiver.runtime.api.events.CloudEventsHttp.Reply;
import io.quiver.runtime.config.QuiverConfig;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Malformed events get error events with a status Knative retries only when retrying can help. */
@QuarkusTest
class EventsBadInputTest {
    @Inject
    Admission admission;

    @Inject
    QuiverConfig config;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @AfterEach
    void slotsAreFree() {
        assertEquals(0, admission.running());
        assertEquals(0, admission.waiting());
    }

    /** An error event in {@code mode} with this status; returns the OpenAI error detail. */
    static JsonPath error(Reply reply, int status, Mode mode) {
        assertEquals(status, reply.status(), reply.http().asString());
        String contentType = reply.http().contentType();
        assertTrue(contentType.startsWith(mode == Mode.STRUCTURED ? "application/cloudevents+json"
                : "application/json"), contentType);
        assertEquals(EventOperation.ERROR_TYPE, reply.event().getType());
        assertEquals(status, reply.intExtension(EventReplies.STATUS_EXTENSION));
        return JsonPath.from(reply.data()).setRootPath("error");
    }

    @Test
    void plainJsonWithoutCeHeadersIsNotAnEvent() {
        Reply reply = post(Map.of("Content-Type", "application/json"), "{\"input\":\"x\"}".getBytes());
        JsonPath e = error(reply, 400, Mode.BINARY);
        assertEquals("invalid_request_error", e.getString("type"));
        assertTrue(e.getString("message").contains("Not a valid CloudEvent"), e.getString("message"));
        assertNull(reply.extension(EventReplies.REQUEST_ID_EXTENSION));
    }

    @Test
    void binaryEventWithoutIdIsRefused() {
        Reply reply = post(Map.of("Content-Type", "application/json", "ce-specversion", "1.0",
                "ce-type", "io.quiver.embedding.request", "ce-source", "/tests"), "{\"input\":\"x\"}".getBytes());
        assertTrue(error(reply, 400, Mode.BINARY).getString("message").contains("Not a valid CloudEvent"));
    }

    @Test
    void unknownSpecVersionAndBrokenStructuredEnvelopeAreRefused() {
        error(post(Map.of("Content-Type", "application/json", "ce-specversion", "0.1", "ce-id", "1",
                "ce-type", "io.quiver.embedding.request", "ce-source", "/tests"), "{}".getBytes()), 400, Mode.BINARY);
        error(post(Map.of("Content-Type", "application/cloudevents+json"), "{\"specversion\":".getBytes()), 400,
                Mode.STRUCTURED);
        error(post(Map.of("Content-Type", "application/cloudevents-batch+json"), "[]".getBytes()), 400,
                Mode.STRUCTURED);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void wrongDataContentTypeIsRefused(Mode mode) {
        CloudEvent text = CloudEventBuilder.v1(event("io.quiver.embedding.request", "x"))
                .withDataContentType("text/plain").withData("hello".getBytes(StandardCharsets.UTF_8)).build();
        JsonPath e = error(send(text, mode), 400, mode);
        assertEquals("datacontenttype", e.getString("param"));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void unknownTypeIsA400ThatNamesTheKnownTypes(Mode mode) {
        String before = Prometheus.scrape("/q/metrics");
        double count = Prometheus.value(before, "quiver_events_total", "type=\"unknown\"", "status=\"400\"").orElse(0);
        CloudEvent request = event("com.example.order.created", "{}");
        Reply reply = send(request, mode);
        JsonPath e = error(reply, 400, mode);
        assertEquals("type", e.getString("param"));
        assertTrue(e.getString("message").contains("io.quiver.chat.completion.request"), e.getString("message"));
        assertEquals(request.getId(), reply.extension(EventReplies.REQUEST_ID_EXTENSION));
        assertEquals(count + 1, Prometheus.require(Prometheus.scrape("/q/metrics"), "quiver_events_total",
                "type=\"unknown\"", "status=\"400\""));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void badDataIsNotRetried(Mode mode) {
        // Structured mode embeds the data in the envelope, so broken JSON breaks the whole event there.
        assertEquals(mode == Mode.BINARY ? "data" : null, error(send(event("io.quiver.embedding.request",
                "{\"input\":"), mode), 400, mode).getString("param"));
        CloudEvent noData = CloudEventBuilder.v1().withId("no-data").withSource(URI.create("/tests"))
                .withType("io.quiver.classification.request").build();
        assertEquals("data", error(send(noData, mode), 400, mode).getString("param"));
        assertEquals("input", error(send(event("io.quiver.embedding.request", "{\"input\":42}"), mode), 400, mode)
                .getString("param"));
        assertEquals("inputs", error(send(event("io.quiver.classification.request",
                "{\"model\":\"intents\",\"inputs\":[]}"), mode), 400, mode).getString("param"));
        assertEquals("size", error(send(event("io.quiver.image.generation.request",
                "{\"prompt\":\"x\",\"size\":\"big\"}"), mode), 400, mode).getString("param"));
        assertEquals("stream", error(send(event("io.quiver.chat.completion.request",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}"), mode), 400, mode)
                .getString("param"));
        assertEquals("messages", error(send(event("io.quiver.chat.completion.request", "{\"messages\":[]}"), mode),
                400, mode).getString("param"));
    }

    /** Knative retries 404 as "endpoint missing"; an unknown model stays unknown, so events answer 422. */
    @Test
    void unknownModelIsNotRetried() {
        JsonPath e = error(send(event("io.quiver.embedding.request", "{\"input\":\"x\",\"model\":\"nope\"}"),
                Mode.BINARY), 422, Mode.BINARY);
        assertEquals("model_not_found", e.getString("code"));
    }

    /** Past the cap and the queue: a retryable 503 with Retry-After, and every slot comes back afterwards. */
    @Test
    void overloadIsRetryableWithRetryAfter() throws Exception {
        String model = "all-minilm-l6-v2";
        List<Permit> held = new ArrayList<>();
        for (int i = 0; i < admission.max(); i++) {
            held.add(admission.admit(model));
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                int queue = config.concurrency().queueSize();
                for (int i = 0; i < queue; i++) {
                    pool.submit(() -> {
                        admission.admit(model).close();
                        return null;
                    });
                }
                while (admission.waiting() < queue) {
                    Thread.sleep(5);
                }
                Reply reply = send(event("io.quiver.embedding.request", "{\"input\":\"x\"}"), Mode.STRUCTURED);
                JsonPath e = error(reply, 503, Mode.STRUCTURED);
                assertEquals("server_overloaded", e.getString("type"));
                assertNotNull(reply.http().header("Retry-After"));
            } finally {
                // Also when an assertion failed: the waiters must end, and later tests need the slots.
                held.forEach(Permit::close);
            }
        }
    }
}
