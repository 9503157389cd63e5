package io.quiver.runtime.metrics;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** {@code GET /metrics}: the same Prometheus text as {@code /q/metrics}, where scrapers look by default. */
@Path("/metrics")
public class MetricsAlias {
    private final PrometheusMeterRegistry registry;

    public MetricsAlias(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @GET
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String scrape() {
        return registry.scrape();
    }
}
