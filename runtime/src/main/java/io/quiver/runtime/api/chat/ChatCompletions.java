package io.quiver.runtime.api.chat;

import io.quiver.models.chat.ChatMessage;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.ChatProtocol.Request;
import io.quiver.runtime.config.QuiverConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * A chat completions request, checked and handed to {@link TextGeneration}; shared by the HTTP route and
 * CloudEvents. Without {@code stream} the response entity is the {@code chat.completion} object.
 */
@ApplicationScoped
public class ChatCompletions {
    private final TextGeneration generation;
    private final Wire wire;

    public ChatCompletions(TextGeneration generation, QuiverConfig config) {
        this.generation = generation;
        this.wire = new ChatWire(ReasoningField.of(config.reasoningField()));
    }

    public Response create(String route, Request request, HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid(null, "A JSON request body is required");
        }
        List<ChatMessage> messages = ChatMessages.parse(request.messages());
        ToolUse tools = ToolUse.of(request.tools(), request.toolChoice(), request.parallelToolCalls());
        return generation.converse(route, request, http, messages, wire, tools);
    }
}
