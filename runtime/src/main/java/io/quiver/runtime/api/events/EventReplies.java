package io.quiver.runtime.api.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

/**
 * Builds reply events. A reply's {@code id} is derived from the request's {@code source} and {@code id} (a
 * name-based UUID), so a redelivered request gets a reply with the same id and consumers can drop duplicates;
 * the request's id and source also travel as extensions, for correlation without recomputing anything.
 */
public final class EventReplies {
    /** Extension: the {@code id} of the request event this reply answers. */
    public static final String REQUEST_ID_EXTENSION = "quiverrequestid";
    /** Extension: the {@code source} of the request event this reply answers. */
    public static final String REQUEST_SOURCE_EXTENSION = "quiverrequestsource";
    /** Extension on error replies: the HTTP status of the response that carried it. */
    public static final String STATUS_EXTENSION = "quiverstatus";
    /** Extension on embedding replies: how many inputs were cut to the model's length (as x-quiver-truncated-inputs). */
    public static final String TRUNCATED_EXTENSION = "quivertruncated";

    private final URI source;

    /** {@code revision}: the Knative revision ({@code K_REVISION}), or "local"; it makes the source {@code /quiver/<revision>}. */
    public EventReplies(String revision) {
        this.source = URI.create("/quiver/" + revision);
    }

    public URI source() {
        return source;
    }

    /** A reply of {@code type} with JSON {@code data}; {@code request} may be null when the request was unreadable. */
    public CloudEvent reply(CloudEvent request, String type, byte[] data, Map<String, Object> extensions) {
        CloudEventBuilder reply = CloudEventBuilder.v1().withType(type).withSource(source)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC)).withDataContentType("application/json").withData(data);
        if (request == null) {
            reply.withId(UUID.randomUUID().toString());
        } else {
            String name = type + "\n" + request.getSource() + "\n" + request.getId();
            reply.withId(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString())
                    .withSubject(request.getSubject())
                    .withExtension(REQUEST_ID_EXTENSION, request.getId())
                    .withExtension(REQUEST_SOURCE_EXTENSION, request.getSource().toString());
        }
        extensions.forEach((name, value) -> {
            switch (value) {
                case Number n -> reply.withExtension(name, n);
                case Boolean b -> reply.withExtension(name, b);
                default -> reply.withExtension(name, String.valueOf(value));
            }
        });
        return reply.build();
    }
}
