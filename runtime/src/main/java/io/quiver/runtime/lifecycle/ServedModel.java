package io.quiver.runtime.lifecycle;

import io.quiver.models.ModelKind;
import io.quiver.models.encoder.EncoderBatcher;

/**
 * A loaded model as the API sees it: its served name, kind and engine.
 *
 * @param created epoch seconds when it finished loading (the OpenAI model card's {@code created})
 * @param loadStartNanos {@link System#nanoTime} when its load began (in main's preload, or after the framework)
 */
public record ServedModel(String name, ModelKind kind, AutoCloseable engine, long created, double loadSeconds,
                          long loadStartNanos) {

    public EncoderBatcher encoder() {
        return (EncoderBatcher) engine;
    }

    public <T> T engine(Class<T> type) {
        return type.cast(engine);
    }
}
