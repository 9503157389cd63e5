package io.quiver.runtime.api.chat;

import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.ChatMessage;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.ChatProtocol.Request;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** {@code POST /v1/chat/completions}, streaming and not, as OpenAI defines it. */
@Path("/v1/chat/completions")
public class ChatResource {
    private static final Wire WIRE = new ChatWire();

    private final TextGeneration generation;

    public ChatResource(TextGeneration generation) {
        this.generation = generation;
    }

    @POST
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public Response create(Request request, @Context HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid(null, "A JSON request body is required");
        }
        List<ChatMessage> messages = ChatMessages.parse(request.messages());
        if (request.tools() != null && !request.tools().isNull() && !request.tools().isEmpty()) {
            throw ApiException.invalid("tools", "Tool calling is not supported by this server");
        }
        String format = request.responseFormat() == null ? "text" : request.responseFormat().path("type").asText("");
        if (!format.equals("text")) {
            throw ApiException.invalid("response_format", "Only response_format type 'text' is supported");
        }
        return generation.respond("chat", request, http, engine -> List.of(prompt(engine, messages)), WIRE);
    }

    private static Prompt prompt(ChatEngine engine, List<ChatMessage> messages) {
        String text = engine.renderChat(messages, true);
        return new Prompt(engine.encode(text), ChatEngine.opensReasoning(text), true);
    }
}
