package io.quiver.runtime.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.chat.AdapterNotFoundException;
import io.quiver.runtime.admission.ClientGoneException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure leaves as an OpenAI-shaped body with a fitting status; never a stack trace. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return respond(e);
    }

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return respond(ApiException.invalid(e.param(), e.getMessage()));
    }

    /** A LoRA adapter unloaded between the request's check and its run: as unknown as a model never served. */
    @ServerExceptionMapper
    public Response adapterGone(AdapterNotFoundException e) {
        return respond(ApiException.modelNotFound(e.adapter()));
    }

    /** Nobody is listening any more; the status only reaches the access log and metrics. */
    @ServerExceptionMapper
    public Response gone(ClientGoneException e) {
        return respond(new ApiException(499, "client_closed_request", null, null, e.getMessage(), Map.of()));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return respond(ApiException.invalid(null, "Invalid JSON body: " + e.getOriginalMessage()));
    }

    /** A field of the wrong JSON type (or a body that is not an object): name the field. */
    @ServerExceptionMapper
    public Response mismatch(MismatchedInputException e) {
        String param = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        if (param.isEmpty()) {
            return respond(ApiException.invalid(null, "The request body must be a JSON object"));
        }
        return respond(ApiException.invalid(param, "Invalid type for '" + param + "'"));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return json(json);
        }
        int status = e.getResponse().getStatus();
        String message = switch (e) {
            case NotFoundException n -> "Unknown route; see GET /v1/models and the routes in docs/api.md";
            case NotAllowedException n -> "Method not allowed on this route";
            case NotSupportedException n -> "Content-Type must be application/json";
            default -> status == 400 ? "Invalid request body: " + firstLine(e.getMessage()) : firstLine(e.getMessage());
        };
        // Clients of OpenAI-style APIs expect 400 for a wrong content type.
        int shown = e instanceof NotSupportedException ? 400 : status;
        String type = shown == 404 ? "not_found_error" : shown < 500 ? "invalid_request_error" : "server_error";
        return respond(new ApiException(shown, type, null, null, message, Map.of()));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return respond(internal(e));
    }

    /**
     * The error a failure of an inference call becomes, for transports that answer without these mappers
     * (CloudEvents): the same statuses and bodies as the HTTP routes.
     */
    public static ApiException translate(RuntimeException e) {
        return switch (e) {
            case ApiException api -> api;
            case InvalidRequestException invalid -> ApiException.invalid(invalid.param(), invalid.getMessage());
            case AdapterNotFoundException gone -> ApiException.modelNotFound(gone.adapter());
            case ClientGoneException gone -> new ApiException(499, "client_closed_request", null, null,
                    gone.getMessage(), Map.of());
            default -> internal(e);
        };
    }

    private static ApiException internal(Throwable e) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "internal error %s", id);
        return new ApiException(500, "server_error", null, null,
                "Internal error (id " + id + "); the server logged the cause", Map.of());
    }

    public static Response respond(ApiException e) {
        Response.ResponseBuilder builder = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(e.body());
        e.headers().forEach(builder::header);
        return builder.build();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "Bad request";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
