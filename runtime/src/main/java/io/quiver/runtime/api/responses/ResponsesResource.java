package io.quiver.runtime.api.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /v1/responses}, streaming and not, as OpenAI's Responses API defines it (stateless). */
@Path("/v1/responses")
public class ResponsesResource {
    private final Responses responses;
    private final ObjectMapper json;

    public ResponsesResource(Responses responses, ObjectMapper json) {
        this.responses = responses;
        this.json = json;
    }

    @POST
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.SERVER_SENT_EVENTS})
    public Response create(JsonNode body, @Context HttpServerRequest http) throws JsonProcessingException {
        return responses.create(ResponsesRequest.read(body, json), http);
    }
}
