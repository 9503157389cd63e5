package io.quiver.runtime.api.chat;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Tests only: a fixed, small socket send buffer when {@code test.http.send-buffer-size} is set, so that a client
 * which stops reading blocks the server's writes after kilobytes, as across a real network, rather than after the
 * megabytes loopback's auto-tuned buffers would take.
 */
@ApplicationScoped
public class SmallSendBuffer implements HttpServerOptionsCustomizer {
    @ConfigProperty(name = "test.http.send-buffer-size", defaultValue = "0")
    int size;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        if (size > 0) {
            options.setSendBufferSize(size);
        }
    }
}
