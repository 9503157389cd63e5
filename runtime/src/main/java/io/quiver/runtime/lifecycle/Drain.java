package io.quiver.runtime.lifecycle;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.http.HttpGate;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * Graceful drain. Quiver takes SIGTERM (and SIGINT) itself, because the framework's default closes connections
 * at once: readiness goes down and new inference requests get 503 immediately, requests already admitted
 * (streams included) run to the end for at most {@code quiver.shutdown.grace} while the HTTP server stays up.
 * What still runs then is cut off but answered: its work is cancelled (completions end with finish_reason
 * abort, streams with their abort chunks and [DONE]), requests still queued get 503, and the process waits up to
 * {@link #ANSWER_WAIT} for those answers before it exits 0. Models close only after that.
 */
@ApplicationScoped
public class Drain {
    /** How long cut-off requests get to be answered after their work is cancelled (one decode step, a write). */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(Drain.class);

    private final Admission admission;
    private final Duration grace;
    private final HttpGate gate;
    private final ModelRegistry registry;
    private final AtomicBoolean started = new AtomicBoolean();
    /** After the grace period, time for the models to close and the framework to stop. */
    static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

    public Drain(Admission admission, HttpGate gate, ModelRegistry registry, QuiverConfig config) {
        this.admission = admission;
        this.gate = gate;
        this.registry = registry;
        this.grace = config.shutdown().grace();
    }

    void onStart(@Observes StartupEvent event) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> Thread.ofPlatform().name("quiver-drain").start(() -> {
                LOG.infof("shutdown phase signal: SIG%s received", signal.getName());
                deadline();
                try {
                    drain();
                } catch (RuntimeException | Error e) {
                    LOG.errorf("shutdown: drain failed (%s); exiting", e);
                } finally {
                    Quarkus.asyncExit(0);
                }
            }));
        }
    }

    /**
     * Whatever state the process is in (models still loading, a start that failed half-way, a close that hangs),
     * it is gone shortly after the grace period: Kubernetes would kill it then anyway, without a word.
     */
    private void deadline() {
        Duration limit = grace.plus(EXIT_MARGIN);
        Thread.ofPlatform().name("quiver-exit-deadline").daemon().start(() -> {
            try {
                Thread.sleep(limit);
            } catch (InterruptedException e) {
                return;
            }
            LOG.errorf("shutdown: still running %d ms after the signal; halting", limit.toMillis());
            Runtime.getRuntime().halt(1);
        });
    }

    /** Any other way of stopping (e.g. the dev-mode console) drains too, before models close. */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        drain();
    }

    private void drain() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        admission.startDraining();
        LOG.infof("shutdown phase drain: readiness down, refusing new requests; %d running, %d waiting",
                admission.running(), admission.waiting());
        // Until every admitted request has also finished writing its response.
        boolean interrupted = !awaitIdle(start + grace.toNanos());
        int cut = 0;
        if (busy() && !interrupted) {
            int running = admission.running();
            int waiting = admission.waiting();
            // Every admitted or queued request is also an unanswered exchange: count each once.
            cut = Math.max(gate.exchanges(), running + waiting);
            LOG.infof("shutdown phase drain: quiver.shutdown.grace over, cutting off %d requests (%d running, "
                    + "%d waiting): cancelling their work so that each is answered", cut, running, waiting);
            admission.cutOff();
            registry.cancelAll();
            awaitIdle(System.nanoTime() + ANSWER_WAIT.toNanos());
        }
        int unanswered = gate.exchanges();
        String outcome = cut == 0 && unanswered == 0 ? "all requests finished"
                : unanswered == 0 ? cut + " requests cut off by quiver.shutdown.grace, all answered"
                : unanswered + " requests still unanswered at exit";
        LOG.infof("shutdown phase drain: %d ms, %s", (System.nanoTime() - start) / 1_000_000, outcome);
    }

    private boolean busy() {
        return admission.running() + admission.waiting() + gate.exchanges() > 0;
    }

    /** Waits until nothing is in flight or the deadline passes; false if interrupted. */
    private boolean awaitIdle(long deadline) {
        while (busy() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
