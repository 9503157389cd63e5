package io.quiver.runtime.api.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.Encoding;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.ErrorMappers;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.metrics.QuiverMetrics;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /events}: a Knative Eventing sink. The event's {@code type} picks the operation
 * ({@link EventOperation}), its data is the JSON body of the matching HTTP route, and the answer is a CloudEvent
 * in the request's mode: 200 with the reply, or an {@value EventOperation#ERROR_TYPE} event whose status tells
 * Knative whether to retry (Knative retries 404, 409, 429 and 5xx, and nothing else).
 */
@Path("/events")
public class EventsResource {
    private final EventDispatcher dispatcher;
    private final QuiverMetrics metrics;
    private final ObjectMapper json;
    private final EventReplies replies = new EventReplies(System.getenv().getOrDefault("K_REVISION", "local"));

    public EventsResource(EventDispatcher dispatcher, QuiverMetrics metrics, ObjectMapper json) {
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.json = json;
    }

    @POST
    @RunOnVirtualThread
    @Consumes(MediaType.WILDCARD)
    public Response receive(byte[] body, @Context HttpServerRequest http) {
        Encoding mode = EventCodec.modeOf(http);
        CloudEvent request = null;
        String label = "invalid";
        try {
            EventCodec.Received received = EventCodec.read(http, body);
            request = received.event();
            mode = received.mode();
            label = "unknown";
            String type = request.getType();
            EventOperation operation = EventOperation.ofType(type).orElseThrow(() -> ApiException.invalid("type",
                    "Unknown event type '" + type + "'; Quiver serves " + EventOperation.known()));
            label = operation.requestType();
            byte[] data = request.getData() == null ? null : request.getData().toBytes();
            if (data != null && data.length > 0) {
                // An empty body may come with a client's default Content-Type; "no data" is the clearer answer.
                checkContentType(request.getDataContentType());
            }
            EventDispatcher.Outcome outcome = dispatcher.run(operation, data, http);
            CloudEvent reply = replies.reply(request, operation.replyType(), json.writeValueAsBytes(outcome.data()),
                    outcome.extensions());
            metrics.event(label, 200);
            return EventCodec.write(reply, mode, 200, Map.of());
        } catch (RuntimeException | JsonProcessingException e) {
            ApiException error = ErrorMappers.translate(e instanceof RuntimeException r ? r
                    : new IllegalStateException("reply not serializable", e));
            int status = retryStatus(error.status());
            metrics.event(label, status);
            CloudEvent reply = replies.reply(request, EventOperation.ERROR_TYPE, errorBody(error),
                    Map.of(EventReplies.STATUS_EXTENSION, status));
            return EventCodec.write(reply, mode, status, error.headers());
        }
    }

    /** The data is the routes' JSON; an absent datacontenttype means JSON, as in the CloudEvents JSON format. */
    private static void checkContentType(String contentType) {
        if (contentType == null) {
            return;
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!base.equals("application/json")) {
            throw ApiException.invalid("datacontenttype", "datacontenttype must be application/json, was '"
                    + contentType + "'");
        }
    }

    /**
     * The HTTP routes' status, except where Knative would misread it: 404 (unknown model) is retried as "endpoint
     * missing", yet a missing model stays missing, so events get 422; overload (503/429) and 5xx stay retryable.
     */
    static int retryStatus(int status) {
        return InferenceCall.answered(EventDispatcher.ROUTE, status);
    }

    private byte[] errorBody(ApiException error) {
        try {
            return json.writeValueAsBytes(error.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
