package io.quiver.runtime.api.events;

import static io.restassured.RestAssured.given;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.Header;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The client side of the CloudEvents HTTP binding, encoded and decoded by the SDK itself. */
final class CloudEventsHttp {
    enum Mode { BINARY, STRUCTURED }

    /** A decoded answer: status, headers as sent, and the reply event. */
    record Reply(int status, Response http, CloudEvent event) {
        String data() {
            return new String(event.getData().toBytes(), StandardCharsets.UTF_8);
        }

        Object extension(String name) {
            return event.getExtension(name);
        }

        /** Binary mode carries extensions as header strings, structured mode as JSON numbers. */
        int intExtension(String name) {
            return Integer.parseInt(String.valueOf(event.getExtension(name)));
        }
    }

    private CloudEventsHttp() {
    }

    static CloudEvent event(String type, String json) {
        return CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withSource(URI.create("/tests/events"))
                .withType(type).withSubject("subject-1").withDataContentType("application/json")
                .withData(json.getBytes(StandardCharsets.UTF_8)).build();
    }

    static Reply send(CloudEvent event, Mode mode) {
        Map<String, String> headers = new LinkedHashMap<>();
        byte[][] body = new byte[1][];
        var writer = HttpMessageFactory.createWriter(headers::put, bytes -> body[0] = bytes);
        if (mode == Mode.STRUCTURED) {
            writer.writeStructured(event, new JsonFormat());
        } else {
            writer.writeBinary(event);
        }
        return post(headers, body[0]);
    }

    /** A raw POST, for what the SDK would refuse to encode. */
    static Reply post(Map<String, String> headers, byte[] body) {
        RequestSpecification request = given().config(RestAssured.config().encoderConfig(
                EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)));
        headers.forEach(request::header);
        Response response = request.body(body == null ? new byte[0] : body).post("/events");
        Map<String, String> replyHeaders = new LinkedHashMap<>();
        for (Header h : response.headers()) {
            replyHeaders.put(h.getName(), h.getValue());
        }
        CloudEvent reply = HttpMessageFactory.createReader(replyHeaders, response.asByteArray()).toEvent();
        return new Reply(response.statusCode(), response, reply);
    }
}
