package io.quiver.runtime.api.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.chat.Prompt;
import io.quiver.runtime.api.chat.TextGeneration;
import io.quiver.runtime.api.messages.MessagesProtocol.TokenCount;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;

/**
 * Anthropic's Messages API on the chat engine: a message runs the path every text request takes (checked against its
 * model, rendered and tokenised before it asks for a slot, then admitted and run) and answers as {@link MessageWire}
 * writes it; a token count renders the same prompt and counts it, so it equals the message's
 * {@code usage.input_tokens}.
 */
@ApplicationScoped
public class Messages {
    private final TextGeneration generation;
    private final InferenceCall call;
    private final ObjectMapper json;

    public Messages(TextGeneration generation, InferenceCall call, ObjectMapper json) {
        this.generation = generation;
        this.call = call;
        this.json = json;
    }

    public Response create(JsonNode body, HttpServerRequest http) {
        MessagesRequest request = MessagesRequest.read(body, true, json);
        Conversation conversation = Conversation.read(request);
        MessageWire wire = new MessageWire(request.thinkingShown(), request.stopStrings());
        return generation.respond("messages", request, http, 1, engine -> {
            Prompt prompt = conversation.prompt(engine);
            wire.prepared(engine, prompt.ids().length);
            return List.of(prompt);
        }, wire, conversation.tools());
    }

    public TokenCount countTokens(JsonNode body, HttpServerRequest http) {
        MessagesRequest request = MessagesRequest.read(body, false, json);
        Conversation conversation = Conversation.read(request);
        return call.run("messages_count_tokens", request.model(), Set.of(ModelKind.CHAT), http,
                model -> conversation.prompt(model.engine(ChatEngine.class)).ids().length,
                (model, count) -> new TokenCount(count));
    }
}
