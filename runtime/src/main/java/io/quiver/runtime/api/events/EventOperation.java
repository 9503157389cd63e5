package io.quiver.runtime.api.events;

import io.quiver.runtime.api.chat.ChatProtocol;
import io.quiver.runtime.api.embeddings.EmbeddingsProtocol;
import io.quiver.runtime.api.images.ImagesProtocol;
import io.quiver.runtime.api.tei.TeiProtocol;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The CloudEvent types Quiver answers: each request type names an operation whose data is the JSON body of the
 * matching HTTP route, and whose reply carries that route's answer under the reply type.
 */
public enum EventOperation {
    CHAT_COMPLETION("io.quiver.chat.completion.request", "io.quiver.chat.completion.response",
            ChatProtocol.Request.class),
    EMBEDDING("io.quiver.embedding.request", "io.quiver.embedding.response", EmbeddingsProtocol.Request.class),
    CLASSIFICATION("io.quiver.classification.request", "io.quiver.classification.response",
            TeiProtocol.PredictRequest.class),
    IMAGE_GENERATION("io.quiver.image.generation.request", "io.quiver.image.generation.response",
            ImagesProtocol.Request.class);

    /** The type of every error reply; its data is the OpenAI error envelope. */
    public static final String ERROR_TYPE = "io.quiver.error";

    private final String requestType;
    private final String replyType;
    private final Class<?> data;

    EventOperation(String requestType, String replyType, Class<?> data) {
        this.requestType = requestType;
        this.replyType = replyType;
        this.data = data;
    }

    public String requestType() {
        return requestType;
    }

    public String replyType() {
        return replyType;
    }

    /** The request record the event data is read into (the same one the HTTP route reads). */
    public Class<?> data() {
        return data;
    }

    public static Optional<EventOperation> ofType(String type) {
        return Arrays.stream(values()).filter(o -> o.requestType.equals(type)).findFirst();
    }

    /** The request types, for error messages. */
    public static String known() {
        return Arrays.stream(values()).map(EventOperation::requestType).collect(Collectors.joining(", "));
    }
}
