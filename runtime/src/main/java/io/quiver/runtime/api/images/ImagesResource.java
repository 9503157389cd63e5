package io.quiver.runtime.api.images;

import io.quiver.runtime.api.images.ImagesProtocol.Request;
import io.quiver.runtime.api.images.ImagesProtocol.Response;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /v1/images/generations}, as OpenAI defines it (b64_json only). */
@Path("/v1/images/generations")
public class ImagesResource {
    private final ImageGeneration generation;

    public ImagesResource(ImageGeneration generation) {
        this.generation = generation;
    }

    @POST
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(Request request, @Context HttpServerRequest http) {
        return generation.generate("images", request, http);
    }
}
