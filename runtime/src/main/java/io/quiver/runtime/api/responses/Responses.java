package io.quiver.runtime.api.responses;

import io.quiver.models.InvalidRequestException;
import io.quiver.models.chat.ChatMessage;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.TextGeneration;
import io.quiver.runtime.api.chat.ToolUse;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * A Responses request turned into a chat conversation and run on {@link TextGeneration}'s path: checked against its
 * model before it asks for a slot (rendered with the model's chat template, tools included; its grammar compiled),
 * then answered as one {@code response} object or as the Responses event stream. Stateless: nothing is stored, so
 * a conversation goes on by sending its earlier output items back as input.
 */
@ApplicationScoped
public class Responses {
    static final String ROUTE = "responses";

    private final TextGeneration generation;

    public Responses(TextGeneration generation) {
        this.generation = generation;
    }

    public Response create(ResponsesRequest request, HttpServerRequest http) {
        request.check();
        List<ChatMessage> messages = ResponseInput.messages(request.instructions(), request.input());
        ToolUse tools = ResponseTools.of(request.tools(), request.toolChoice(), request.parallelToolCalls());
        try {
            return generation.converse(ROUTE, request, http, messages, new ResponsesWire(request, tools), tools);
        } catch (InvalidRequestException e) {
            // The engine names the chat request's fields; this API names them otherwise.
            String param = ResponsesRequest.PARAMS.getOrDefault(e.param(), e.param());
            String message = e.getMessage().replace(" max_tokens", " max_output_tokens");
            throw ApiException.invalid(param, message);
        }
    }
}
