package io.quiver.runtime.lifecycle;

import io.quiver.models.ModelKind;
import io.quiver.models.encoder.EncoderBatcher;

/**
 * A loaded model as the API sees it: its served name, kind and engine; as a request resolved it, with the LoRA
 * adapter it named.
 *
 * @param created        epoch seconds when it finished loading (the OpenAI model card's {@code created})
 * @param loadStartNanos {@link System#nanoTime} when its load began (in main's preload, or after the framework)
 * @param adapter        the LoRA adapter the request named, or null for the model itself
 * @param requested      the name the request used ({@code <model>:<adapter>}, an adapter's own, or the model's)
 */
public record ServedModel(String name, ModelKind kind, AutoCloseable engine, long created, double loadSeconds,
                          long loadStartNanos, String adapter, String requested) {

    public ServedModel(String name, ModelKind kind, AutoCloseable engine, long created, double loadSeconds,
                       long loadStartNanos) {
        this(name, kind, engine, created, loadSeconds, loadStartNanos, null, name);
    }

    /** The same model, as a request naming {@code adapter} by {@code requested} sees it. */
    public ServedModel withAdapter(String adapter, String requested) {
        return new ServedModel(name, kind, engine, created, loadSeconds, loadStartNanos, adapter, requested);
    }

    public EncoderBatcher encoder() {
        return (EncoderBatcher) engine;
    }

    public <T> T engine(Class<T> type) {
        return type.cast(engine);
    }
}
