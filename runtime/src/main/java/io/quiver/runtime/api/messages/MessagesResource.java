package io.quiver.runtime.api.messages;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.runtime.api.messages.MessagesProtocol.TokenCount;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /v1/messages} (streaming and not) and {@code POST /v1/messages/count_tokens}, as Anthropic's API
 * defines them; errors in Anthropic's shape ({@link AnthropicErrors}). The {@code anthropic-version} and
 * {@code anthropic-beta} headers are read by nothing: there is one version of these routes.
 */
@Path(AnthropicError.ROUTE)
@Consumes(MediaType.APPLICATION_JSON)
public class MessagesResource {
    private final Messages messages;

    public MessagesResource(Messages messages) {
        this.messages = messages;
    }

    @POST
    @RunOnVirtualThread
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public Response create(JsonNode body, @Context HttpServerRequest http) {
        return messages.create(body, http);
    }

    @POST
    @Path("count_tokens")
    @RunOnVirtualThread
    @Produces(MediaType.APPLICATION_JSON)
    public TokenCount countTokens(JsonNode body, @Context HttpServerRequest http) {
        return messages.countTokens(body, http);
    }
}
