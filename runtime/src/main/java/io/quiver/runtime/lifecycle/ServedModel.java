package io.quiver.runtime.lifecycle;

import io.quiver.models.ModelKind;
import io.quiver.models.encoder.EncoderBatcher;

/**
 * A loaded model as the API sees it: its served name, kind and engine.
 *
 * @param created epoch seconds when it finished loading (the OpenAI model card's {@code created})
 */
public record ServedModel(String name, ModelKind kind, AutoCloseable engine, long created, double loadSeconds) {

    public EncoderBatcher encoder() {
        return (EncoderBatcher) engine;
    }

    public <T> T engine(Class<T> type) {
        return type.cast(engine);
    }
}
