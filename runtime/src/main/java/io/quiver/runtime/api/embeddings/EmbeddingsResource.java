package io.quiver.runtime.api.embeddings;

import io.quiver.runtime.api.embeddings.EmbeddingsProtocol.Request;
import io.quiver.runtime.api.embeddings.EmbeddingsProtocol.Response;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

/** {@code POST /v1/embeddings}, as OpenAI defines it. */
@Path("/v1/embeddings")
public class EmbeddingsResource {
    /** Response header: how many inputs were cut to the model's maximum length (only with "truncate": true). */
    public static final String TRUNCATED_HEADER = "x-quiver-truncated-inputs";

    private final Embedder embedder;

    public EmbeddingsResource(Embedder embedder) {
        this.embedder = embedder;
    }

    @POST
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public RestResponse<Response> create(Request request, @Context HttpServerRequest http) {
        Embedder.Result result = embedder.embed("embeddings", request, http);
        var response = RestResponse.ResponseBuilder.ok(result.response());
        if (result.truncated() > 0) {
            response.header(TRUNCATED_HEADER, result.truncated());
        }
        return response.build();
    }
}
