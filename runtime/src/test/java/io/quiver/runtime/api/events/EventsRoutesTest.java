package io.quiver.runtime.api.events;

import static io.quiver.runtime.api.events.CloudEventsHttp.event;
import static io.quiver.runtime.api.events.CloudEventsHttp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.api.events.CloudEventsHttp.Mode;
import io.quiver.runtime.api.events.CloudEventsHttp.Reply;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every event type in both content modes, answered through the same code paths as the HTTP routes. */
@QuarkusTest
class EventsRoutesTest {
    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @AfterEach
    void slotsAreFree() {
        assertEquals(0, admission.running());
        assertEquals(0, admission.waiting());
    }

    /** The reply comes back in the request's mode, typed, sourced and linked to the request. */
    static JsonPath ok(CloudEvent request, Mode mode, String replyType) {
        Reply reply = send(request, mode);
        assertEquals(200, reply.status(), reply.http().asString());
        String contentType = reply.http().contentType();
        if (mode == Mode.STRUCTURED) {
            assertTrue(contentType.startsWith("application/cloudevents+json"), contentType);
        } else {
            assertTrue(contentType.startsWith("application/json"), contentType);
            assertEquals(reply.event().getId(), reply.http().header("ce-id"));
        }
        CloudEvent event = reply.event();
        assertEquals(replyType, event.getType());
        assertEquals("/quiver/local", event.getSource().toString());
        assertEquals("application/json", event.getDataContentType());
        assertEquals("subject-1", event.getSubject());
        assertEquals(request.getId(), reply.extension(EventReplies.REQUEST_ID_EXTENSION));
        assertEquals(request.getSource().toString(), reply.extension(EventReplies.REQUEST_SOURCE_EXTENSION));
        assertNotEquals(request.getId(), event.getId());
        return JsonPath.from(reply.data());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void chatCompletion(Mode mode) {
        CloudEvent request = event("io.quiver.chat.completion.request", """
                {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"Hello"}],
                 "max_tokens":4,"ignore_eos":true,"temperature":0}""");
        JsonPath data = ok(request, mode, "io.quiver.chat.completion.response");
        assertEquals("chat.completion", data.getString("object"));
        assertEquals("tiny-random-deepseek-r1", data.getString("model"));
        assertEquals(4, data.getInt("usage.completion_tokens"));
        assertEquals("length", data.getString("choices[0].finish_reason"));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void embedding(Mode mode) {
        CloudEvent request = event("io.quiver.embedding.request",
                "{\"model\":\"all-minilm-l6-v2\",\"input\":[\"Hello world\",\"Knative scales pods\"]}");
        JsonPath data = ok(request, mode, "io.quiver.embedding.response");
        assertEquals("list", data.getString("object"));
        assertEquals(2, data.getList("data").size());
        assertEquals(384, data.getList("data[0].embedding").size());
        assertEquals(10, data.getInt("usage.prompt_tokens"));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void classification(Mode mode) {
        CloudEvent request = event("io.quiver.classification.request",
                "{\"model\":\"intents\",\"inputs\":\"Play some jazz in the kitchen\"}");
        JsonPath data = ok(request, mode, "io.quiver.classification.response");
        List<String> labels = data.getList("label");
        assertEquals(6, labels.size());
        assertTrue(labels.contains("play_music"));
        double sum = data.getList("score", Float.class).stream().mapToDouble(Float::doubleValue).sum();
        assertEquals(1.0, sum, 1e-4);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void imageGeneration(Mode mode) {
        CloudEvent request = event("io.quiver.image.generation.request",
                "{\"model\":\"tiny-random-sd\",\"prompt\":\"a red fox\",\"size\":\"128x64\",\"seed\":3,"
                        + "\"num_inference_steps\":1}");
        JsonPath data = ok(request, mode, "io.quiver.image.generation.response");
        byte[] png = Base64.getDecoder().decode(data.getString("data[0].b64_json"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }

    /** A redelivered request (same source and id) gets a reply with the same id, so consumers can deduplicate. */
    @Test
    void replyIdIsStableAcrossRedeliveryAndDistinctPerRequest() {
        CloudEvent request = event("io.quiver.embedding.request", "{\"input\":\"again\"}");
        String first = send(request, Mode.BINARY).event().getId();
        String second = send(request, Mode.STRUCTURED).event().getId();
        assertEquals(first, second);
        CloudEvent other = CloudEventBuilder.v1(request).withId(request.getId() + "-2").build();
        assertNotEquals(first, send(other, Mode.BINARY).event().getId());
    }

    @Test
    void truncationIsReportedAsAnExtension() {
        String text = "word ".repeat(300);
        Reply reply = send(event("io.quiver.embedding.request",
                "{\"input\":[\"short\",\"" + text + "\"],\"truncate\":true}"), Mode.BINARY);
        assertEquals(200, reply.status());
        assertEquals(1, reply.intExtension(EventReplies.TRUNCATED_EXTENSION));
    }

    @Test
    void eventsAreCountedByTypeAndGoThroughTheSameRequestMeters() {
        String type = "io.quiver.classification.request";
        String before = Prometheus.scrape("/q/metrics");
        double events = Prometheus.value(before, "quiver_events_total", "type=\"" + type + "\"", "status=\"200\"")
                .orElse(0);
        double requests = Prometheus.value(before, "quiver_requests_total", "route=\"events\"", "model=\"intents\"",
                "status=\"200\"").orElse(0);
        assertEquals(200, send(event(type, "{\"model\":\"intents\",\"inputs\":[\"a\",\"b\"]}"), Mode.BINARY).status());
        String after = Prometheus.scrape("/q/metrics");
        assertEquals(events + 1, Prometheus.require(after, "quiver_events_total", "type=\"" + type + "\"",
                "status=\"200\""));
        assertEquals(requests + 1, Prometheus.require(after, "quiver_requests_total", "route=\"events\"",
                "model=\"intents\"", "status=\"200\""));
        assertNotNull(Prometheus.value(after, "quiver_requests_running", "model=\"intents\"").orElseThrow());
        assertEquals(0, Prometheus.require(after, "quiver_requests_running", "model=\"intents\""));
    }
}
