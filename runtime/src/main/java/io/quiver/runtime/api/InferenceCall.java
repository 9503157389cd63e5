package io.quiver.runtime.api;

import io.micrometer.core.instrument.Tags;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelKind;
import io.quiver.models.QueueTimeoutException;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.admission.ClientGoneException;
import io.quiver.runtime.admission.Permit;
import io.quiver.runtime.api.events.EventDispatcher;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.http.AccessLog;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.quiver.runtime.lifecycle.ServedModel;
import io.quiver.runtime.metrics.QuiverMetrics;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The path every inference request takes: resolve the model, wait for a slot under the pod cap, run, record the
 * outcome. A client that disconnects interrupts its (virtual) thread, which takes it out of the queue or abandons
 * the work; the slot is freed either way. No admitted request waits on its model past {@code quiver.request-timeout}.
 */
@ApplicationScoped
public class InferenceCall {
    /** The deadline of the request {@link #run} is running, for {@link #await}. */
    private static final ScopedValue<Lease> CURRENT = ScopedValue.newInstance();

    private final ModelRegistry registry;
    private final Admission admission;
    private final QuiverMetrics metrics;
    private final Duration requestTimeout;

    private final AccessLog accessLog;

    public InferenceCall(ModelRegistry registry, Admission admission, QuiverMetrics metrics, QuiverConfig config,
                         AccessLog accessLog) {
        this.registry = registry;
        this.accessLog = accessLog;
        this.admission = admission;
        this.metrics = metrics;
        this.requestTimeout = config.requestTimeout();
    }

    /** Runs {@code work} on the caller's thread while holding a slot. */
    public <T> T run(String route, String modelName, Set<ModelKind> kinds, HttpServerRequest http,
                     Function<ServedModel, T> work) {
        Lease lease = open(route, modelName, kinds, http, 1);
        try {
            T result = ScopedValue.where(CURRENT, lease).call(() -> work.apply(lease.model()));
            lease.status(200);
            return result;
        } catch (RuntimeException e) {
            lease.status(statusOf(e));
            throw e;
        } finally {
            lease.close();
            Thread.interrupted();
        }
    }

    /**
     * Resolves and admits a request whose work outlives the handler (a stream), taking one slot per row of work it
     * runs at once. The caller must close the lease; until it re-points {@link Lease#onDisconnect}, a disconnect
     * interrupts the calling thread.
     */
    public Lease open(String route, String modelName, Set<ModelKind> kinds, HttpServerRequest http, int rows) {
        long start = System.nanoTime();
        // A served model's name, even when this route refuses it; any other name is "unknown", so that requests
        // cannot add label values without bound.
        String label = modelName != null && registry.configuredNames().contains(modelName) ? modelName : "unknown";
        Thread caller = Thread.currentThread();
        http.response().closeHandler(v -> caller.interrupt());
        try {
            ServedModel model = registry.resolve(modelName, kinds, route);
            label = model.name();
            accessLog.model(http, model.name());
            Permit permit = admission.admit(model.name(), rows);
            Lease lease = new Lease(route, model, permit, start, requestTimeout, http, metrics, admission);
            lease.onDisconnect(caller::interrupt);
            return lease;
        } catch (RuntimeException e) {
            http.response().closeHandler(null);
            Thread.interrupted();
            metrics.request(route, label, answered(route, statusOf(e)), System.nanoTime() - start);
            throw e;
        }
    }

    /**
     * Work a request does on its model before it asks for a slot (compiling its grammar), so that however long it
     * takes, it holds no slot and no admitted request waits on it. A disconnect interrupts the caller meanwhile; a
     * failure is counted as {@link #open}'s are, and a client gone by the end is answered as gone.
     */
    public <T> T beforeAdmission(String route, String modelName, Set<ModelKind> kinds, HttpServerRequest http,
                                 Function<ServedModel, T> work) {
        long start = System.nanoTime();
        String label = modelName != null && registry.configuredNames().contains(modelName) ? modelName : "unknown";
        Thread caller = Thread.currentThread();
        http.response().closeHandler(v -> caller.interrupt());
        try {
            ServedModel model = registry.resolve(modelName, kinds, route);
            label = model.name();
            T result = work.apply(model);
            if (http.response().closed()) {
                throw new ClientGoneException();
            }
            return result;
        } catch (RuntimeException e) {
            metrics.request(route, label, answered(route, statusOf(e)), System.nanoTime() - start);
            throw e;
        } finally {
            http.response().closeHandler(null);
            Thread.interrupted();
        }
    }

    /** Slots under the pod's cap: the most rows of work one request may run at once. */
    public int cap() {
        return admission.max();
    }

    /**
     * Runs a request's preparation (rendering and tokenising its text) and times it in
     * {@code quiver_request_preparation_seconds}: bounded by the model's context (see TokenBudget), and counted so
     * that what requests cost before they run shows.
     */
    public <T> T prepare(String route, String model, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            metrics.latency("quiver.request.preparation", "Time spent rendering and tokenising request text",
                    Tags.of("route", route, "model", model)).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The status a request of this route is answered with, as its metrics count it: a CloudEvent gets 422 where
     * the HTTP routes answer 404 or 409, since Knative would retry those (see EventsResource).
     */
    public static int answered(String route, int status) {
        return route.equals(EventDispatcher.ROUTE) && (status == 404 || status == 409) ? 422 : status;
    }

    public static int statusOf(RuntimeException e) {
        return switch (e) {
            case ApiException api -> api.status();
            case InvalidRequestException invalid -> 400;
            case ClientGoneException gone -> 499;
            default -> 500;
        };
    }

    /**
     * Waits for an engine's answer, at most until the running request's deadline; if the client goes away or the
     * deadline passes meanwhile, the work is cancelled.
     */
    public static <T> T await(Future<T> future) {
        if (!CURRENT.isBound()) {
            throw new IllegalStateException("await outside InferenceCall.run has no deadline");
        }
        Lease lease = CURRENT.get();
        try {
            return future.get(Math.max(0, lease.deadline() - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw lease.timedOut();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw new ClientGoneException();
        } catch (CancellationException e) {
            // Not this request's doing (that path is the interrupt above): the engine dropped the work at shutdown.
            throw new ApiException(503, "server_overloaded", null, "shutting_down", "The server is shutting down and "
                    + "stopped this request; retry on another replica", Map.of("Retry-After", "1"));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof QueueTimeoutException) {
                throw lease.queueTimedOut();
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
