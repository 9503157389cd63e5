package io.quiver.runtime.api.tokenize;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.ModelKind;
import io.quiver.models.TokenBudget;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.chat.ChatMessages;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * vLLM's {@code POST /tokenize} and {@code POST /detokenize} for chat models: a prompt (or messages, rendered with
 * the chat template) to token ids, and ids back to text (special tokens included, so the two round-trip). They
 * run under a slot of the cap like any request, and are bounded by the model's context as generation is: at most
 * that many tokens either way, so neither the work nor the answer grows with the body.
 */
@Path("/")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TokenizeResource {
    private static final Set<ModelKind> CHAT = Set.of(ModelKind.CHAT);

    /**
     * {@code prompt} or {@code messages}; {@code add_special_tokens} defaults to true for a prompt and false for
     * messages (the template renders them), {@code add_generation_prompt} to true, as in vLLM.
     */
    public record TokenizeRequest(String model, String prompt, JsonNode messages,
                                  @JsonProperty("add_special_tokens") Boolean addSpecialTokens,
                                  @JsonProperty("add_generation_prompt") Boolean addGenerationPrompt,
                                  @JsonProperty("return_token_strs") Boolean returnTokenStrs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenizeResponse(int count, @JsonProperty("max_model_len") int maxModelLen, List<Integer> tokens,
                                   @JsonProperty("token_strs") List<String> tokenStrs) {
    }

    public record DetokenizeRequest(String model, JsonNode tokens) {
    }

    public record DetokenizeResponse(String prompt) {
    }

    private final InferenceCall call;

    public TokenizeResource(InferenceCall call) {
        this.call = call;
    }

    @POST
    @Path("tokenize")
    @RunOnVirtualThread
    public TokenizeResponse tokenize(TokenizeRequest request, @Context HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid(null, "A JSON request body is required");
        }
        boolean messages = request.messages() != null && !request.messages().isNull();
        if (messages == (request.prompt() != null)) {
            throw ApiException.invalid("prompt", "Send exactly one of prompt and messages");
        }
        return call.run("tokenize", request.model(), CHAT, http, model -> {
            ChatEngine engine = model.engine(ChatEngine.class);
            String text = messages
                    ? engine.renderChat(ChatMessages.parse(request.messages()),
                            !Boolean.FALSE.equals(request.addGenerationPrompt()))
                    : request.prompt();
            boolean special = request.addSpecialTokens() != null ? request.addSpecialTokens() : !messages;
            int context = engine.contextLength();
            var read = TokenBudget.encode(text, context, t -> engine.encode(t, special), encoded -> encoded.length);
            int[] ids = read.encoding();
            if (!read.complete() || ids.length > context) {
                throw ApiException.invalid(messages ? "messages" : "prompt", (read.complete() ? "" : "more than ")
                        + ids.length + " tokens are over the context length of " + context + " tokens");
            }
            return ids;
        }, (model, ids) -> {
            ChatEngine engine = model.engine(ChatEngine.class);
            List<Integer> tokens = new ArrayList<>(ids.length);
            List<String> strs = Boolean.TRUE.equals(request.returnTokenStrs()) ? new ArrayList<>(ids.length) : null;
            for (int id : ids) {
                tokens.add(id);
                if (strs != null) {
                    strs.add(new String(engine.tokenBytes(id), StandardCharsets.UTF_8));
                }
            }
            return new TokenizeResponse(ids.length, engine.contextLength(), tokens, strs);
        });
    }

    @POST
    @Path("detokenize")
    @RunOnVirtualThread
    public DetokenizeResponse detokenize(DetokenizeRequest request, @Context HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid(null, "A JSON request body is required");
        }
        JsonNode tokens = request.tokens();
        if (tokens == null || !tokens.isArray()) {
            throw ApiException.invalid("tokens", "tokens must be an array of token ids");
        }
        return call.run("detokenize", request.model(), CHAT, http, model -> {
            ChatEngine engine = model.engine(ChatEngine.class);
            if (tokens.size() > engine.contextLength()) {
                throw ApiException.invalid("tokens", "At most " + engine.contextLength() + " token ids (the context "
                        + "length), got " + tokens.size());
            }
            int[] ids = new int[tokens.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode id = tokens.get(i);
                if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0
                        || id.asInt() >= engine.vocabSize()) {
                    throw ApiException.invalid("tokens", "tokens[" + i + "] must be a token id in [0, "
                            + engine.vocabSize() + "), was " + id);
                }
                ids[i] = id.asInt();
            }
            return ids;
        }, (model, ids) -> new DetokenizeResponse(model.engine(ChatEngine.class).decode(ids, false)));
    }
}
