package io.quiver.runtime.http;

import io.quarkus.runtime.StartupEvent;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.config.QuiverConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every request meets before any route: the {@code x-quiver-revision} header (so canary routes can be told
 * apart from outside), the body-size limit, and the optional bearer API key. Refusals are OpenAI-shaped.
 * Health, metrics and the Quarkus management paths stay open, as probes and scrapers carry no key.
 */
@ApplicationScoped
public class HttpGate {
    public static final String REVISION_HEADER = "x-quiver-revision";

    private final String revision = System.getenv().getOrDefault("K_REVISION", "local");
    private final byte[] apiKey;
    private final long maxBodyBytes;
    private final AtomicInteger exchanges = new AtomicInteger();

    public HttpGate(QuiverConfig config) {
        this.apiKey = config.apiKey().map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.maxBodyBytes = config.maxBodySize().asLongValue();
    }

    void install(@Observes StartupEvent event, Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        ctx.response().putHeader(REVISION_HEADER, revision);
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && parse(length) > maxBodyBytes) {
            // The connection may still carry the body; close it after answering rather than read it.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            refuse(ctx, new ApiException(413, "invalid_request_error", null, "request_too_large",
                    "Request body of " + length + " bytes is larger than the limit of " + maxBodyBytes
                            + " bytes (quiver.max-body-size)", Map.of()));
            return;
        }
        if (apiKey != null && guarded(ctx.normalizedPath()) && !authorized(ctx)) {
            refuse(ctx, new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    "Missing or incorrect API key; send 'Authorization: Bearer <key>'", Map.of()));
            return;
        }
        if (guarded(ctx.normalizedPath())) {
            exchanges.incrementAndGet();
            ctx.addEndHandler(done -> exchanges.decrementAndGet());
        }
        ctx.next();
    }

    /** Inference-side HTTP exchanges not yet fully answered: the drain waits for these to reach zero. */
    public int exchanges() {
        return exchanges.get();
    }

    private static boolean guarded(String path) {
        return !(path.equals("/health") || path.equals("/metrics") || path.startsWith("/q/"));
    }

    private boolean authorized(RoutingContext ctx) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(apiKey, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static void refuse(RoutingContext ctx, ApiException e) {
        var response = ctx.response().setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        e.headers().forEach(response::putHeader);
        response.end(Json.encode(e.body()));
    }
}
