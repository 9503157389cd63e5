package io.quiver.runtime.api.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.chat.ChatCompletions;
import io.quiver.runtime.api.chat.ChatProtocol;
import io.quiver.runtime.api.embeddings.Embedder;
import io.quiver.runtime.api.embeddings.EmbeddingsProtocol;
import io.quiver.runtime.api.images.ImageGeneration;
import io.quiver.runtime.api.images.ImagesProtocol;
import io.quiver.runtime.api.tei.Classifier;
import io.quiver.runtime.api.tei.TeiProtocol;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Map;

/**
 * Runs an event's operation through the same beans as the HTTP routes (so the same checks, the same admission
 * under the pod cap and the same metrics, under route {@value #ROUTE}) and returns what the route would answer.
 * The events package uses the API's services; they do not know of it.
 */
@ApplicationScoped
public class EventDispatcher {
    /** The {@code route} label of requests that arrived as CloudEvents. */
    public static final String ROUTE = InferenceCall.EVENTS_ROUTE;

    /** The reply's data and any extension attributes it carries besides the standard ones. */
    public record Outcome(Object data, Map<String, Object> extensions) {
    }

    private final ChatCompletions chat;
    private final Embedder embedder;
    private final Classifier classifier;
    private final ImageGeneration images;
    private final ObjectMapper json;

    public EventDispatcher(ChatCompletions chat, Embedder embedder, Classifier classifier, ImageGeneration images,
                           ObjectMapper json) {
        this.chat = chat;
        this.embedder = embedder;
        this.classifier = classifier;
        this.images = images;
        this.json = json;
    }

    public Outcome run(EventOperation operation, byte[] data, HttpServerRequest http) {
        Object request = parse(operation, data);
        return switch (request) {
            case ChatProtocol.Request r -> {
                // A reply event is one message: there is nothing to stream into.
                if (r.streaming()) {
                    throw ApiException.invalid("stream", "Streaming is not available over CloudEvents; omit 'stream'");
                }
                yield new Outcome(chat.create(ROUTE, r, http).getEntity(), Map.of());
            }
            case EmbeddingsProtocol.Request r -> {
                Embedder.Result result = embedder.embed(ROUTE, r, http);
                yield new Outcome(result.response(), result.truncated() > 0
                        ? Map.of(EventReplies.TRUNCATED_EXTENSION, result.truncated()) : Map.of());
            }
            case TeiProtocol.PredictRequest r -> new Outcome(classifier.predict(ROUTE, r, http), Map.of());
            case ImagesProtocol.Request r -> new Outcome(images.generate(ROUTE, r, http), Map.of());
            default -> throw new IllegalStateException("no handler for " + operation);
        };
    }

    private Object parse(EventOperation operation, byte[] data) {
        if (data == null || data.length == 0) {
            throw ApiException.invalid("data", "The event has no data; send the JSON body of the matching HTTP route");
        }
        Object request;
        try {
            request = json.readValue(data, operation.data());
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("data", "Invalid JSON data: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid("data", "Unreadable data: " + e.getMessage());
        }
        if (request == null) {
            throw ApiException.invalid("data", "The event data must be a JSON object, was null");
        }
        return request;
    }
}
