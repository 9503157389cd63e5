package io.quiver.runtime.health;

import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.lifecycle.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** {@code GET /health}, as vLLM and TGI have it: 200 when ready, 503 with an OpenAI-shaped error before. */
@Path("/health")
public class HealthResource {
    private final ModelRegistry registry;
    private final Admission admission;

    public HealthResource(ModelRegistry registry, Admission admission) {
        this.registry = registry;
        this.admission = admission;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, String> health() {
        if (admission.draining()) {
            throw new ApiException(503, "service_unavailable", null, "draining", "The server is shutting down",
                    Map.of("Retry-After", "1"));
        }
        if (!registry.ready()) {
            throw new ApiException(503, "service_unavailable", null, "loading", "The server is loading its models",
                    Map.of("Retry-After", "1"));
        }
        return Map.of("status", "ok");
    }
}
