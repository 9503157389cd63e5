package io.quiver.runtime.api;

import io.micrometer.core.instrument.Tags;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.AdapterNotFoundException;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.admission.ClientGoneException;
import io.quiver.runtime.admission.Permit;
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
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The path every inference request takes, TGI's order: resolve the model and check the request against it (render,
 * tokenise, compile its grammar) before anything is queued, so a request that will be refused never takes a slot
 * or waits for one; then wait for a slot under the pod cap, run, record the outcome. A client that disconnects
 * interrupts its (virtual) thread, which stops the check, takes it out of the queue or abandons the work; the slot
 * is freed either way. No admitted request waits on its model past {@code quiver.request-timeout}.
 */
@ApplicationScoped
public class InferenceCall {
    /** The {@code route} label of requests that arrived as CloudEvents. */
    public static final String EVENTS_ROUTE = "events";
    /** The deadline of the request {@link #run} is running, for {@link #await}. */
    private static final ScopedValue<Lease> CURRENT = ScopedValue.newInstance();

    private final ModelRegistry registry;
    private final Admission admission;
    private final QuiverMetrics metrics;
    private final Duration requestTimeout;

    private final AccessLog accessLog;

    /** A request checked against its model, ready to ask for slots: what it will run, and when it arrived. */
    public record Checked<V>(ServedModel model, V request, long start) {
    }

    public InferenceCall(ModelRegistry registry, Admission admission, QuiverMetrics metrics, QuiverConfig config,
                         AccessLog accessLog) {
        this.registry = registry;
        this.accessLog = accessLog;
        this.admission = admission;
        this.metrics = metrics;
        this.requestTimeout = config.requestTimeout();
    }

    /**
     * Checks a request against its model, then runs {@code work} on the caller's thread while holding one slot:
     * {@code check} throws every refusal the request can earn, {@code work} only runs it.
     */
    public <V, T> T run(String route, String modelName, Set<ModelKind> kinds, HttpServerRequest http,
                        Function<ServedModel, V> check, BiFunction<ServedModel, V, T> work) {
        Checked<V> checked = check(route, modelName, kinds, http, check);
        Lease lease = admit(route, checked, http, 1);
        try {
            T result = ScopedValue.where(CURRENT, lease).call(() -> work.apply(lease.model(), checked.request()));
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
     * Resolves the model and checks the request against it without a slot, timed as its preparation
     * ({@code quiver_request_preparation_seconds}): its cost is bounded by the model's context (TokenBudget) and by
     * the grammar limits. A refusal is counted as the request's outcome; a client gone meanwhile is answered as gone.
     */
    public <V> Checked<V> check(String route, String modelName, Set<ModelKind> kinds, HttpServerRequest http,
                                Function<ServedModel, V> check) {
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
            V request = prepare(route, model.name(), () -> check.apply(model));
            if (http.response().closed()) {
                throw new ClientGoneException();
            }
            return new Checked<>(model, request, start);
        } catch (RuntimeException e) {
            metrics.request(route, label, answered(route, statusOf(e)), System.nanoTime() - start);
            throw e;
        } finally {
            http.response().closeHandler(null);
            Thread.interrupted();
        }
    }

    /**
     * Admits a checked request, taking one slot per row of work it runs at once; for work that outlives the
     * handler (a stream) the caller closes the lease. Until it re-points {@link Lease#onDisconnect}, a disconnect
     * interrupts the calling thread.
     */
    public Lease admit(String route, Checked<?> checked, HttpServerRequest http, int rows) {
        ServedModel model = checked.model();
        Thread caller = Thread.currentThread();
        http.response().closeHandler(v -> caller.interrupt());
        try {
            Permit permit = admission.admit(model.name(), rows);
            Lease lease = new Lease(route, model, permit, checked.start(), requestTimeout, http, metrics, admission);
            lease.onDisconnect(caller::interrupt);
            return lease;
        } catch (RuntimeException e) {
            http.response().closeHandler(null);
            Thread.interrupted();
            metrics.request(route, model.name(), answered(route, statusOf(e)), System.nanoTime() - checked.start());
            throw e;
        }
    }

    /** Slots under the pod's cap: the most rows of work one request may run at once. */
    public int cap() {
        return admission.max();
    }

    /** Times a request's preparation in {@code quiver_request_preparation_seconds}. */
    private <T> T prepare(String route, String model, Supplier<T> work) {
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
        return route.equals(EVENTS_ROUTE) && (status == 404 || status == 409) ? 422 : status;
    }

    public static int statusOf(RuntimeException e) {
        return switch (e) {
            case ApiException api -> api.status();
            case InvalidRequestException invalid -> 400;
            case AdapterNotFoundException gone -> 404;
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
            throw lease.failure(e.getCause());
        }
    }
}
