package io.quiver.runtime.http;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.messages.AnthropicError;
import io.quiver.runtime.config.QuiverConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * What every request meets before any route: the {@code x-quiver-revision} header (so canary routes can be told
 * apart from outside), the optional API key (a bearer token; on Anthropic's Messages routes also {@code x-api-key},
 * which Anthropic's clients send), and the body-size limit: on the declared length, which the
 * HTTP/1.1 and HTTP/2 codecs hold the body to, and on the bytes actually read for a chunked body. Refusals are in the
 * route's API shape (OpenAI's, Anthropic's on the Messages routes) and end the exchange: the rest of
 * a refused body is not read. Health, metrics and the Quarkus management paths stay open, as probes and scrapers
 * carry no key; they are matched exactly, so any other spelling of them needs the key.
 */
@ApplicationScoped
public class HttpGate {
    public static final String REVISION_HEADER = "x-quiver-revision";
    private static final Logger LOG = Logger.getLogger(HttpGate.class);

    private final String revision = System.getenv().getOrDefault("K_REVISION", "local");
    private final byte[] apiKey;
    private final boolean emptyKey;
    private final long maxBodyBytes;
    private final BodyHandler body;
    private final AtomicInteger exchanges = new AtomicInteger();

    private final AccessLog accessLog;
    private final boolean eventsOpen;

    public HttpGate(QuiverConfig config, AccessLog accessLog) {
        this.accessLog = accessLog;
        // Knative Eventing delivers without a bearer key and does not retry a 401: events may have their own rule.
        this.eventsOpen = config.events().auth() == QuiverConfig.EventsAuth.NONE;
        this.apiKey = config.apiKey().map(k -> k.getBytes(StandardCharsets.UTF_8)).orElse(null);
        // An empty value reads as "not set", which would serve without a key: someone meant to set one.
        String raw = ConfigProvider.getConfig().getConfigValue("quiver.api-key").getRawValue();
        this.emptyKey = apiKey == null && (raw != null || System.getenv("QUIVER_API_KEY") != null);
        this.maxBodyBytes = config.maxBodySize().asLongValue();
        this.body = BodyHandler.create(false).setBodyLimit(maxBodyBytes).setMergeFormAttributes(false)
                .setPreallocateBodyBuffer(false);
    }

    void install(@Observes StartupEvent event, Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::handle).failureHandler(this::failed);
        if (emptyKey) {
            LOG.error("startup failed: quiver.api-key (QUIVER_API_KEY) is set but empty; set a key, or unset it "
                    + "to serve without one");
            Quarkus.asyncExit(1);
        } else {
            LOG.infof("API key %s; request bodies up to %d bytes", apiKey == null
                    ? "not set: inference routes are open" : eventsOpen
                    ? "required on inference routes except /events (quiver.events.auth=none)"
                    : "required on inference routes", maxBodyBytes);
        }
    }

    private void handle(RoutingContext ctx) {
        ctx.response().putHeader(REVISION_HEADER, revision);
        String path = ctx.normalizedPath();
        boolean guarded = guarded(path);
        if (guarded) {
            accessLog.track(ctx);
        }
        if (guarded && emptyKey) {
            refuse(ctx, new ApiException(503, "service_unavailable", null, "misconfigured",
                    "The server is stopping: its API key is set but empty", Map.of()));
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && parse(length) > maxBodyBytes) {
            tooLarge(ctx);
            return;
        }
        if (apiKey != null && guarded && !(eventsOpen && path.equals("/events")) && !authorized(ctx, path)) {
            refuse(ctx, new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    "Missing or incorrect API key; send 'Authorization: Bearer <key>'"
                            + (AnthropicError.covers(path) ? " or 'x-api-key: <key>'" : ""), Map.of()));
            return;
        }
        if (!guarded) {
            ctx.next();
            return;
        }
        exchanges.incrementAndGet();
        ctx.addEndHandler(done -> exchanges.decrementAndGet());
        if (length != null || !hasBody(ctx)) {
            ctx.next();
        } else if (ctx.request().version() == HttpVersion.HTTP_2) {
            // Quarkus REST cannot take an HTTP/2 body that was read before it (it pauses the ended stream), so
            // one of unknown size cannot be counted here; HTTP/2 clients send the length of a JSON body anyway.
            refuse(ctx, new ApiException(411, "invalid_request_error", null, "length_required",
                    "Send Content-Length with a request body over HTTP/2", Map.of()));
        } else {
            // A chunked body: read it here, counting what arrives; past the limit the exchange fails with 413.
            body.handle(ctx);
        }
    }

    private static boolean hasBody(RoutingContext ctx) {
        if (ctx.request().version() != HttpVersion.HTTP_2) {
            return ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
        }
        // A stream still open after its headers may carry a body; only methods that take one are asked for a length
        // (a GET upgraded from HTTP/1.1 to h2c reaches here before its stream has ended).
        HttpMethod method = ctx.request().method();
        return !ctx.request().isEnded()
                && (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH);
    }

    private void failed(RoutingContext ctx) {
        if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
            tooLarge(ctx);
        } else {
            ctx.next();
        }
    }

    private void tooLarge(RoutingContext ctx) {
        LOG.warnf("refused a request body over %d bytes from %s", maxBodyBytes, ctx.request().remoteAddress());
        refuse(ctx, new ApiException(413, "invalid_request_error", null, "request_too_large",
                "Request body is larger than the limit of " + maxBodyBytes + " bytes (quiver.max-body-size)",
                Map.of()));
    }

    /** Inference-side HTTP exchanges not yet fully answered: the drain waits for these to reach zero. */
    public int exchanges() {
        return exchanges.get();
    }

    private static boolean guarded(String path) {
        return !(path.equals("/health") || path.equals("/metrics") || path.startsWith("/q/"));
    }

    private boolean authorized(RoutingContext ctx, String path) {
        String anthropic = AnthropicError.covers(path) ? ctx.request().getHeader("x-api-key") : null;
        if (anthropic != null) {
            return MessageDigest.isEqual(apiKey, anthropic.trim().getBytes(StandardCharsets.UTF_8));
        }
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

    /**
     * Answers and ends the exchange without reading the rest of the body: HTTP/1.x closes the connection after
     * the answer; HTTP/2 (where {@code Connection} is forbidden) resets only the stream, with NO_ERROR, which
     * tells the client to stop sending (RFC 9113 §8.1).
     */
    static void refuse(RoutingContext ctx, ApiException e) {
        var response = ctx.response().setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        e.headers().forEach(response::putHeader);
        boolean http2 = ctx.request().version() == HttpVersion.HTTP_2;
        if (!http2) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        Object body = AnthropicError.covers(ctx.normalizedPath()) ? AnthropicError.of(e.status(), e.getMessage())
                : e.body();
        response.end(Json.encode(body)).onComplete(done -> {
            if (http2) {
                response.reset(0);
            } else {
                ctx.request().connection().close();
            }
        });
    }
}
