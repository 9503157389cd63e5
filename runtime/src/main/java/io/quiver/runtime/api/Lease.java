package io.quiver.runtime.api;

import io.quiver.models.QueueTimeoutException;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.admission.Permit;
import io.quiver.runtime.lifecycle.ServedModel;
import io.quiver.runtime.metrics.QuiverMetrics;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An admitted request: its model and its slot under the pod cap. Closing it (exactly once, whoever comes first:
 * the handler finishing or the connection dropping) frees the slot and records the request's outcome.
 */
public final class Lease implements AutoCloseable {
    private final String route;
    private final ServedModel model;
    private final Permit permit;
    private final long start;
    private final Duration timeout;
    private final long deadline;
    private final HttpServerRequest http;
    private final QuiverMetrics metrics;
    private final Admission admission;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int status = 500;

    Lease(String route, ServedModel model, Permit permit, long start, Duration timeout, HttpServerRequest http,
          QuiverMetrics metrics, Admission admission) {
        this.route = route;
        this.model = model;
        this.permit = permit;
        this.start = start;
        this.timeout = timeout;
        this.deadline = System.nanoTime() + timeout.toNanos();
        this.admission = admission;
        this.http = http;
        this.metrics = metrics;
    }

    public ServedModel model() {
        return model;
    }

    /** {@link System#nanoTime} when the request arrived (time to first token counts from here). */
    public long start() {
        return start;
    }

    /** {@link System#nanoTime} past which the request may no longer wait on its model (quiver.request-timeout). */
    public long deadline() {
        return deadline;
    }

    /** The error for a request whose model did not answer by the deadline. */
    public ApiException timedOut() {
        return new ApiException(504, "timeout_error", null, "request_timeout", "The model did not answer within "
                + "quiver.request-timeout (" + timeout.toMillis() + " ms); the work was cancelled", Map.of());
    }

    /**
     * What a request answers when its model's work failed: a 503 when the model's own queue held it past the queue
     * timeout (as if admission had), else a server error whose cause the server logs.
     */
    public RuntimeException failure(Throwable cause) {
        if (cause instanceof QueueTimeoutException) {
            return admission.engineQueueTimeout(model.name());
        }
        return cause instanceof RuntimeException r ? r : new IllegalStateException("generation failed", cause);
    }

    /** The status the request ends with when closed; 500 unless set. */
    public void status(int value) {
        status = value;
    }

    /** Runs {@code action} (on the event loop) if the client goes away before the lease is closed. */
    public void onDisconnect(Runnable action) {
        http.response().closeHandler(v -> {
            if (!closed.get()) {
                action.run();
            }
        });
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // Outcome first, then the slot: whoever sees the slot free also sees the request counted.
            metrics.request(route, model.name(), InferenceCall.answered(route, status), System.nanoTime() - start);
            http.response().closeHandler(null);
            permit.close();
        }
    }
}
