package io.quiver.runtime.health;

import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.lifecycle.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * The probes Knative and Kubernetes call: started and ready once every model is loaded and warmed; ready goes
 * down again the moment draining begins, so no new traffic is routed here. Live as long as the process runs.
 */
@ApplicationScoped
public class ModelHealth {
    private final ModelRegistry registry;
    private final Admission admission;

    public ModelHealth(ModelRegistry registry, Admission admission) {
        this.registry = registry;
        this.admission = admission;
    }

    @Readiness
    HealthCheck ready() {
        return () -> HealthCheckResponse.named("models").status(registry.ready() && !admission.draining())
                .withData("models", String.join(",", registry.configuredNames()))
                .withData("draining", admission.draining())
                .withData("running", admission.running())
                .withData("waiting", admission.waiting()).build();
    }

    @Startup
    HealthCheck started() {
        return () -> HealthCheckResponse.named("models-loaded").status(registry.ready()).build();
    }

    @Liveness
    HealthCheck live() {
        return () -> HealthCheckResponse.up("process");
    }
}
