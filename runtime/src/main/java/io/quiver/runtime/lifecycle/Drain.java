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
 * (streams included) run to the end for at most {@code quiver.shutdown.grace} while the HTTP server stays up,
 * and then the process exits 0. Models close only after that.
 */
@ApplicationScoped
public class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);

    private final Admission admission;
    private final Duration grace;
    private final HttpGate gate;
    private final AtomicBoolean started = new AtomicBoolean();
    /** After the grace period, time for the models to close and the framework to stop. */
    static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

    public Drain(Admission admission, HttpGate gate, QuiverConfig config) {
        this.admission = admission;
        this.gate = gate;
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
        long deadline = start + grace.toNanos();
        // Until every admitted request has also finished writing its response.
        while (admission.running() + admission.waiting() + gate.exchanges() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = admission.running() + admission.waiting() + gate.exchanges();
        LOG.infof("shutdown phase drain: %d ms, %s", (System.nanoTime() - start) / 1_000_000,
                left == 0 ? "all requests finished" : left + " requests cut off by quiver.shutdown.grace");
    }
}
