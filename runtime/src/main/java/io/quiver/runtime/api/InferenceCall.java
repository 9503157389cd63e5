package io.quiver.runtime.api;

import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelKind;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.admission.ClientGoneException;
import io.quiver.runtime.admission.Permit;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.quiver.runtime.lifecycle.ServedModel;
import io.quiver.runtime.metrics.QuiverMetrics;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The path every non-streaming inference request takes: resolve the model, wait for a slot under the pod cap,
 * run, record the outcome. A client that disconnects interrupts its (virtual) thread, which takes it out of the
 * queue or abandons the work; the slot is freed either way.
 */
@ApplicationScoped
public class InferenceCall {
    private final ModelRegistry registry;
    private final Admission admission;
    private final QuiverMetrics metrics;

    public InferenceCall(ModelRegistry registry, Admission admission, QuiverMetrics metrics) {
        this.registry = registry;
        this.admission = admission;
        this.metrics = metrics;
    }

    public <T> T run(String route, String modelName, Set<ModelKind> kinds, HttpServerRequest http,
                     Function<ServedModel, T> work) {
        long start = System.nanoTime();
        String label = "unknown";
        int status = 500;
        Thread caller = Thread.currentThread();
        http.response().closeHandler(v -> caller.interrupt());
        try {
            ServedModel model = registry.resolve(modelName, kinds, route);
            label = model.name();
            try (Permit permit = admission.admit(model.name())) {
                T result = work.apply(model);
                status = 200;
                return result;
            }
        } catch (ApiException e) {
            status = e.status();
            throw e;
        } catch (InvalidRequestException e) {
            status = 400;
            throw e;
        } catch (ClientGoneException e) {
            status = 499;
            throw e;
        } finally {
            http.response().closeHandler(null);
            Thread.interrupted();
            metrics.request(route, label, status, System.nanoTime() - start);
        }
    }

    /** Waits for an engine's answer; if the client goes away meanwhile, the work is cancelled. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw new ClientGoneException();
        } catch (CancellationException e) {
            throw new ClientGoneException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
