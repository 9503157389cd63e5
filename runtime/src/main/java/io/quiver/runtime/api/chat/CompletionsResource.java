package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.CompletionProtocol.Request;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;

/** {@code POST /v1/completions}: raw prompts, no chat template; one choice per prompt. */
@Path("/v1/completions")
public class CompletionsResource {
    /** Prompts in one request at most; they run as rows of the same batch, each under a slot of the pod's cap. */
    static final int MAX_PROMPTS = 64;
    private static final Wire WIRE = new TextWire();

    private final TextGeneration generation;

    public CompletionsResource(TextGeneration generation) {
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
        if (request.bestOf() != null && request.bestOf() != 1) {
            throw ApiException.invalid("best_of", "Only best_of=1 is supported");
        }
        if (request.suffix() != null && !request.suffix().isEmpty()) {
            throw ApiException.invalid("suffix", "suffix (fill-in-the-middle) is not supported by this server");
        }
        JsonNode prompt = request.prompt();
        return generation.respond("completions", request, http, rows(prompt),
                engine -> echoed(engine, prompts(engine, prompt), request.echoes()), WIRE);
    }

    /** How many completions the prompt field asks for: one per string or id array in a list, else one. */
    private static int rows(JsonNode prompt) {
        return prompt != null && prompt.isArray() && !prompt.isEmpty() && !prompt.get(0).isNumber()
                ? prompt.size() : 1;
    }

    private static List<Prompt> prompts(ChatEngine engine, JsonNode prompt) {
        if (prompt == null || prompt.isNull() || prompt.isArray() && prompt.isEmpty()) {
            throw ApiException.invalid("prompt", "prompt is required");
        }
        if (prompt.isTextual()) {
            return List.of(text(engine, prompt.asText()));
        }
        if (!prompt.isArray()) {
            throw ApiException.invalid("prompt", "prompt must be a string, an array of strings, an array of token "
                    + "ids or an array of such arrays");
        }
        if (prompt.get(0).isNumber()) {
            return List.of(new Prompt(tokenIds(engine, prompt), false, false));
        }
        if (prompt.size() > MAX_PROMPTS) {
            throw ApiException.invalid("prompt", "at most " + MAX_PROMPTS + " prompts per request, got "
                    + prompt.size());
        }
        List<Prompt> prompts = new ArrayList<>();
        for (JsonNode p : prompt) {
            if (p.isTextual()) {
                prompts.add(text(engine, p.asText()));
            } else if (p.isArray() && !p.isEmpty()) {
                prompts.add(new Prompt(tokenIds(engine, p), false, false));
            } else {
                throw ApiException.invalid("prompt", "every prompt must be a string or a non-empty array of ids");
            }
        }
        return prompts;
    }

    /**
     * With {@code echo}, each prompt's text goes before its completion (a text prompt as sent, an id prompt
     * decoded); without it, none does.
     */
    private static List<Prompt> echoed(ChatEngine engine, List<Prompt> prompts, boolean echo) {
        return prompts.stream().map(p -> p.echoing(!echo ? null : p.echo() != null ? p.echo()
                : engine.decode(p.ids()))).toList();
    }

    private static Prompt text(ChatEngine engine, String text) {
        if (text.isEmpty()) {
            throw ApiException.invalid("prompt", "prompt must not be empty");
        }
        return new Prompt(engine.encodePrompt(text, "prompt"), false, false, text);
    }

    /** Token ids as sent, read only when they leave room for a completion; their range is the engine's check. */
    private static int[] tokenIds(ChatEngine engine, JsonNode array) {
        engine.checkRoom(array.size(), "prompt");
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                throw ApiException.invalid("prompt", "token ids must be integers, got " + id);
            }
            ids[i] = id.asInt();
        }
        return ids;
    }
}
