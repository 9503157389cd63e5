package io.quiver.runtime.api.messages;

import io.quiver.runtime.api.OpenAiError;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every error of the Messages routes in Anthropic's shape: the one set of exception mappers answers every route in
 * OpenAI's, and this turns those answers into Anthropic's on the way out (refusals of the body, unknown models,
 * overload, internal errors alike), keeping status and headers.
 */
public class AnthropicErrors {
    @ServerResponseFilter
    public void reshape(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getEntity() instanceof OpenAiError e
                && AnthropicError.covers(request.getUriInfo().getRequestUri().getPath())) {
            response.setEntity(AnthropicError.of(response.getStatus(), e.error().message()));
        }
    }
}
