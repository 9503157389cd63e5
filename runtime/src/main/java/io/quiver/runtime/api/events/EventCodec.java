package io.quiver.runtime.api.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.quiver.runtime.api.ApiException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Map;

/**
 * CloudEvents over HTTP through the SDK's own binding: binary mode ({@code ce-*} headers, data as the body) and
 * structured mode ({@code application/cloudevents+json}). Anything else is refused with a 400 that says what a
 * CloudEvent looks like.
 */
final class EventCodec {
    static final JsonFormat FORMAT = new JsonFormat();

    static {
        // The SDK finds formats with ServiceLoader; register ours explicitly so class-loader setups cannot hide it.
        EventFormatProvider.getInstance().registerFormat(FORMAT);
    }

    /** A request event and the mode it came in, which the reply uses too. */
    record Received(CloudEvent event, Encoding mode) {
    }

    private EventCodec() {
    }

    /** The mode a reply to this request takes, even when the request itself cannot be read. */
    static Encoding modeOf(HttpServerRequest http) {
        String type = http.getHeader("Content-Type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/cloudevents")
                ? Encoding.STRUCTURED : Encoding.BINARY;
    }

    static Received read(HttpServerRequest http, byte[] body) {
        String type = http.getHeader("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/cloudevents-batch")) {
            throw ApiException.invalid(null, "Batched CloudEvents are not supported; send one event per request");
        }
        try {
            MessageReader reader = HttpMessageFactory.createReader(
                    header -> http.headers().forEach(h -> header.accept(h.getKey(), h.getValue())),
                    body == null ? new byte[0] : body);
            return new Received(reader.toEvent(), reader.getEncoding());
        } catch (RuntimeException e) {
            throw ApiException.invalid(null, "Not a valid CloudEvent (" + firstLine(e) + "); send binary mode (headers "
                    + "ce-specversion, ce-id, ce-source, ce-type and Content-Type: application/json) or structured "
                    + "mode (Content-Type: " + JsonFormat.CONTENT_TYPE + ")");
        }
    }

    /** The event as the HTTP response, in {@code mode}, with {@code status} and extra headers (Retry-After). */
    static Response write(CloudEvent event, Encoding mode, int status, Map<String, String> headers) {
        Response.ResponseBuilder response = Response.status(status);
        var writer = HttpMessageFactory.createWriter(response::header, response::entity);
        if (mode == Encoding.STRUCTURED) {
            writer.writeStructured(event, FORMAT);
        } else {
            writer.writeBinary(event);
        }
        headers.forEach(response::header);
        return response.build();
    }

    private static String firstLine(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
