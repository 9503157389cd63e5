package io.quiver.runtime.http;

import io.quiver.runtime.config.QuiverConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * {@code quiver.access-log}: one line per API request once it is answered (method, path, status, milliseconds,
 * served model), under the logger {@code io.quiver.access}. Off by default; probes and scrapes (the paths open
 * without a key: {@code /health}, {@code /metrics}, {@code /q/…}) are never logged, as queue-proxy probes every few
 * milliseconds while a pod starts.
 */
@ApplicationScoped
public class AccessLog {
    private static final Logger LOG = Logger.getLogger("io.quiver.access");

    private final boolean enabled;
    /** The served model of requests still being answered; only filled while the log is on. */
    private final Map<HttpServerRequest, String> models = new ConcurrentHashMap<>();

    public AccessLog(QuiverConfig config) {
        this.enabled = config.accessLog();
    }

    /** Logs this exchange when it ends. */
    void track(RoutingContext ctx) {
        if (!enabled) {
            return;
        }
        long start = System.nanoTime();
        HttpServerRequest request = ctx.request();
        ctx.addEndHandler(done -> {
            String model = models.remove(request);
            LOG.infof("%s %s %d %d ms model %s", request.method(), request.path(), ctx.response().getStatusCode(),
                    (System.nanoTime() - start) / 1_000_000, model == null ? "-" : model);
        });
    }

    /** The served model a request resolved to, for its line. */
    public void model(HttpServerRequest request, String model) {
        if (enabled) {
            models.put(request, model);
        }
    }
}
