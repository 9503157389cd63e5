package io.quiver.runtime.api.chat;

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

/** {@code POST /v1/chat/completions}, streaming and not, as OpenAI defines it. */
@Path("/v1/chat/completions")
public class ChatResource {
    private final ChatCompletions completions;

    public ChatResource(ChatCompletions completions) {
        this.completions = completions;
    }

    @POST
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public Response create(Request request, @Context HttpServerRequest http) {
        return completions.create("chat", request, http);
    }
}
